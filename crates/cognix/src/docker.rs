//! The `docker` command (Docker, or podman's docker-compatible CLI): inspect and load images,
//! and run containers for `predict` and `serve`.
//!
//! Containers run attached (`docker run --rm`, not `-d`) as children of cognix, in its process
//! group: Ctrl-C reaches the docker client, which stops and removes the container, so an
//! interrupted prediction leaves nothing running.

use std::io::{self, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("cannot run docker ({0}); load, predict and serve need Docker (or podman's docker command) with a running engine")]
    Missing(io::Error),
    #[error("`{command}` failed ({status}){stderr}")]
    Failed { command: String, status: String, stderr: String },
    #[error("`{command}`: {problem}")]
    Output { command: String, problem: String },
}

fn failed(command: &str, status: ExitStatus, stderr: &[u8]) -> DockerError {
    let stderr = String::from_utf8_lossy(stderr).trim().to_owned();
    DockerError::Failed {
        command: command.to_owned(),
        status: status.to_string(),
        stderr: if stderr.is_empty() { stderr } else { format!(": {stderr}") },
    }
}

/// `docker image inspect`: the image's record, `None` when docker does not have it.
pub fn inspect_image(reference: &str) -> Result<Option<Value>, DockerError> {
    let command = format!("docker image inspect {reference}");
    let output =
        Command::new("docker").args(["image", "inspect", reference]).stdin(Stdio::null()).output().map_err(DockerError::Missing)?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr).to_lowercase();
        if said.contains("no such image") || said.contains("not found") {
            return Ok(None);
        }
        return Err(failed(&command, output.status, &output.stderr));
    }
    let records: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| DockerError::Output { command: command.clone(), problem: format!("not JSON ({e})") })?;
    Ok(records.get(0).cloned())
}

/// `docker load` of a docker-archive stream. Returns what docker printed (`Loaded image: …`).
pub fn load(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<String, DockerError> {
    let mut child = Command::new("docker")
        .arg("load")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(DockerError::Missing)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let written = write(&mut stdin);
    drop(stdin);
    let output = child.wait_with_output().map_err(DockerError::Missing)?;
    if !output.status.success() {
        return Err(failed("docker load", output.status, &output.stderr));
    }
    written.map_err(|e| DockerError::Output { command: "docker load".into(), problem: format!("the image stream broke off: {e}") })?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Where a container's port is published.
pub enum Publish {
    /// A free port on 127.0.0.1, found out after the start.
    AnyLocal,
    /// `host:port`.
    At { host: String, port: u16 },
}

/// A container running attached; stopped when dropped.
pub struct Container {
    pub name: String,
    child: Option<Child>,
}

impl Container {
    /// `docker run --rm` of `image`, publishing `container_port`. Its output goes to standard
    /// error, so standard output stays for results.
    pub fn run(image: &str, container_port: u16, publish: &Publish, gpus: Option<&str>) -> Result<Self, DockerError> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("cognix-{}-{nanos:x}", std::process::id());
        let mapping = match publish {
            Publish::AnyLocal => format!("127.0.0.1::{container_port}"),
            Publish::At { host, port } => format!("{host}:{port}:{container_port}"),
        };
        let mut command = Command::new("docker");
        command.args(["run", "--rm", "--name", &name, "--publish", &mapping]);
        if let Some(gpus) = gpus {
            command.args(["--gpus", gpus]);
        }
        command.arg(image).stdin(Stdio::null()).stdout(io::stderr()).stderr(Stdio::inherit());
        let child = command.spawn().map_err(DockerError::Missing)?;
        Ok(Self { name, child: Some(child) })
    }

    /// The container has exited (or never started); `None` while it runs.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// The host port `container_port` is published on (`docker port`), waiting for docker to
    /// create the container.
    pub fn host_port(&mut self, container_port: u16, timeout: Duration) -> Result<u16, DockerError> {
        let command = format!("docker port {} {container_port}/tcp", self.name);
        let start = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return Err(DockerError::Failed {
                    command: format!("docker run … {}", self.name),
                    status: status.to_string(),
                    stderr: " (its output is above)".into(),
                });
            }
            let output = Command::new("docker")
                .args(["port", &self.name, &format!("{container_port}/tcp")])
                .stdin(Stdio::null())
                .output()
                .map_err(DockerError::Missing)?;
            let port = String::from_utf8_lossy(&output.stdout)
                .lines()
                .find_map(|line| line.trim().rsplit_once(':').and_then(|(_, p)| p.parse().ok()));
            if let (true, Some(port)) = (output.status.success(), port) {
                return Ok(port);
            }
            if start.elapsed() > timeout {
                return Err(failed(&command, output.status, &output.stderr));
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits for the container to end by itself (`serve`).
    pub fn wait(mut self) -> Result<ExitStatus, DockerError> {
        let mut child = self.child.take().expect("a container is waited for once");
        child.wait().map_err(DockerError::Missing)
    }

    /// `docker stop`, then waits for the attached client to return.
    pub fn stop(mut self) -> Result<(), DockerError> {
        self.stop_now()
    }

    fn stop_now(&mut self) -> Result<(), DockerError> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        if child.try_wait().ok().flatten().is_none() {
            let output = Command::new("docker")
                .args(["stop", "--time", "10", &self.name])
                .stdin(Stdio::null())
                .output()
                .map_err(DockerError::Missing)?;
            if !output.status.success() {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(&format!("docker stop {}", self.name), output.status, &output.stderr));
            }
        }
        let _ = child.wait();
        Ok(())
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if let Err(error) = self.stop_now() {
            crate::error::warn(&format!("{error}; stop the container yourself (docker stop {})", self.name));
        }
    }
}

/// Whether docker's record of an image is the image of `config` (a docker-archive config):
/// docker's classic store names an image by its config digest; the containerd store does not,
/// so then its layers and run settings are compared.
pub fn same_image(record: &Value, config_digest: &str, config: &Value) -> bool {
    if record.get("Id").and_then(Value::as_str) == Some(config_digest) {
        return true;
    }
    let layers = |v: &Value, path: &str| v.pointer(path).cloned().unwrap_or(Value::Null);
    if layers(record, "/RootFS/Layers") != layers(config, "/rootfs/diff_ids") {
        return false;
    }
    ["Env", "Cmd", "Entrypoint", "WorkingDir", "Labels"].iter().all(|key| {
        let theirs = record.pointer(&format!("/Config/{key}")).filter(|v| !v.is_null());
        let ours = config.pointer(&format!("/config/{key}")).filter(|v| !v.is_null());
        theirs == ours
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn images_are_the_same_by_id_or_by_layers_and_settings() {
        let config = json!({ "config": { "Cmd": ["python"], "Labels": { "a": "b" } }, "rootfs": { "diff_ids": ["sha256:1"] } });
        assert!(same_image(&json!({ "Id": "sha256:c" }), "sha256:c", &config));
        let record = json!({ "Id": "sha256:other", "RootFS": { "Layers": ["sha256:1"] }, "Config": { "Cmd": ["python"], "Labels": { "a": "b" }, "Env": null } });
        assert!(same_image(&record, "sha256:c", &config));
        let relabelled =
            json!({ "Id": "sha256:other", "RootFS": { "Layers": ["sha256:1"] }, "Config": { "Cmd": ["python"], "Labels": { "a": "c" } } });
        assert!(!same_image(&relabelled, "sha256:c", &config));
    }
}
