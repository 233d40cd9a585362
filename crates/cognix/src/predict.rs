//! cog's HTTP API, as `cog predict` uses it: wait for `/health-check` to say READY, read
//! `/openapi.json`, turn `-i name=value` flags into the input its schema types (`@path` becomes
//! a data URL), POST `/predictions`, and print the output or write its files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Map, Value};
use ureq::Agent;

#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    #[error("-i {0}: expected name=value (or name=@file)")]
    Input(String),
    #[error("-i {name}: {problem}")]
    Value { name: String, problem: String },
    #[error("-i {name}=@{path}: {source}")]
    File { name: String, path: String, source: std::io::Error },
    #[error("the model did not become ready within {0} s (--setup-timeout)")]
    Timeout(u64),
    #[error("the container exited before the model was ready; its output is above")]
    Exited,
    #[error("the model's setup() failed{0}")]
    SetupFailed(String),
    #[error("the model's HTTP API: {0}")]
    Api(String),
    #[error("the prediction {status}{error}")]
    Failed { status: String, error: String },
    #[error("cannot write the output to {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

pub struct Api {
    agent: Agent,
    base: String,
}

impl Api {
    pub fn new(port: u16) -> Self {
        let agent = Agent::config_builder().http_status_as_error(false).timeout_connect(Some(Duration::from_secs(2))).build().new_agent();
        Self { agent, base: format!("http://127.0.0.1:{port}") }
    }

    /// Polls `/health-check` until READY; `exited` says whether the container is gone.
    pub fn wait_ready(&self, timeout: Duration, exited: &mut dyn FnMut() -> bool) -> Result<(), PredictError> {
        let start = Instant::now();
        loop {
            if exited() {
                return Err(PredictError::Exited);
            }
            if let Some(health) = self.get_json("/health-check", Duration::from_secs(1)) {
                match health.get("status").and_then(Value::as_str) {
                    Some("READY") => return Ok(()),
                    Some("SETUP_FAILED" | "DEFUNCT") => {
                        let logs = health.pointer("/setup/logs").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
                        return Err(PredictError::SetupFailed(if logs.is_empty() { logs } else { format!(":\n{logs}") }));
                    }
                    _ => {}
                }
            }
            if start.elapsed() > timeout {
                return Err(PredictError::Timeout(timeout.as_secs()));
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    fn get_json(&self, path: &str, timeout: Duration) -> Option<Value> {
        let mut response = self.agent.get(format!("{}{path}", self.base)).config().timeout_global(Some(timeout)).build().call().ok()?;
        if response.status().as_u16() != 200 {
            return None;
        }
        serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
    }

    /// The model's schema, `/openapi.json`.
    pub fn schema(&self) -> Result<Value, PredictError> {
        self.get_json("/openapi.json", Duration::from_secs(30)).ok_or_else(|| PredictError::Api("GET /openapi.json gave no schema".into()))
    }

    /// POST `/predictions` and wait for the answer (no time limit: predictions take what they
    /// take).
    pub fn predict(&self, input: &Map<String, Value>) -> Result<Value, PredictError> {
        let body = json!({ "input": input }).to_string();
        let mut response = self
            .agent
            .post(format!("{}/predictions", self.base))
            .header("Content-Type", "application/json")
            .send(body.as_bytes())
            .map_err(|e| PredictError::Api(format!("POST /predictions: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| PredictError::Api(format!("POST /predictions: {e}")))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|_| PredictError::Api(format!("POST /predictions answered {status} with no JSON")))?;
        match status {
            200 | 201 => Ok(value),
            422 => Err(PredictError::Api(format!("the input was refused: {}", validation_errors(&value)))),
            _ => Err(PredictError::Api(format!("POST /predictions answered {status}: {value}"))),
        }
    }
}

/// Validation errors, `{"detail":[{"loc":["body","input","x"],"msg":"…"}]}`, as `x: …`.
fn validation_errors(value: &Value) -> String {
    let Some(details) = value.get("detail").and_then(Value::as_array) else { return value.to_string() };
    details
        .iter()
        .map(|d| {
            let field = d
                .get("loc")
                .and_then(Value::as_array)
                .and_then(|l| l.last())
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            let message = d.get("msg").and_then(Value::as_str).unwrap_or("invalid");
            field.map_or_else(|| message.to_owned(), |f| format!("{f}: {message}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `-i name=value` flags by name, values in order (a repeated name is a list, as in cog).
pub fn parse_inputs(flags: &[String]) -> Result<BTreeMap<String, Vec<String>>, PredictError> {
    let mut inputs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for flag in flags {
        let (name, value) = flag.split_once('=').filter(|(n, _)| !n.is_empty()).ok_or_else(|| PredictError::Input(flag.clone()))?;
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        inputs.entry(name.to_owned()).or_default().push(value.to_owned());
    }
    Ok(inputs)
}

/// The prediction input: each value typed as the schema's `Input` property says.
pub fn build_input(inputs: &BTreeMap<String, Vec<String>>, schema: &Value) -> Result<Map<String, Value>, PredictError> {
    let properties = schema.pointer("/components/schemas/Input/properties");
    let mut input = Map::new();
    for (name, values) in inputs {
        let property = properties.and_then(|p| p.get(name)).map(|p| resolve(schema, p));
        let kind = property.and_then(|p| p.get("type")).and_then(Value::as_str).unwrap_or("string");
        let value = if kind == "array" || values.len() > 1 {
            let items = property.and_then(|p| p.get("items")).map(|i| resolve(schema, i));
            match values.as_slice() {
                [one] if one.starts_with('[') => parse_json(name, one)?,
                _ => Value::Array(values.iter().map(|v| scalar(name, v, items)).collect::<Result<_, _>>()?),
            }
        } else if kind == "object" {
            parse_json(name, &values[0])?
        } else {
            scalar(name, &values[0], property)?
        };
        input.insert(name.clone(), value);
    }
    Ok(input)
}

fn parse_json(name: &str, text: &str) -> Result<Value, PredictError> {
    serde_json::from_str(text).map_err(|e| PredictError::Value { name: name.to_owned(), problem: format!("not JSON ({e})") })
}

/// One value: a file (`@path`) as a data URL, else as the schema's type.
fn scalar(name: &str, value: &str, schema: Option<&Value>) -> Result<Value, PredictError> {
    if let Some(path) = value.strip_prefix('@') {
        let bytes = std::fs::read(path).map_err(|source| PredictError::File { name: name.to_owned(), path: path.to_owned(), source })?;
        let mime = mime_of(Path::new(path));
        return Ok(Value::String(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))));
    }
    let wrong = |kind: &str| PredictError::Value { name: name.to_owned(), problem: format!("`{value}` is not {kind}") };
    Ok(match schema.and_then(|s| s.get("type")).and_then(Value::as_str) {
        Some("integer") => Value::from(value.parse::<i64>().map_err(|_| wrong("an integer"))?),
        Some("number") => json!(value.parse::<f64>().map_err(|_| wrong("a number"))?),
        Some("boolean") => Value::Bool(value.parse().map_err(|_| wrong("true or false"))?),
        _ => Value::String(value.to_owned()),
    })
}

/// A schema with `$ref` and a lone `allOf: [$ref]` (cog's choices) followed.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let target = schema.get("$ref").or_else(|| schema.pointer("/allOf/0/$ref")).and_then(Value::as_str);
    match target.and_then(|r| r.strip_prefix('#')).and_then(|pointer| root.pointer(pointer)) {
        Some(found) => found,
        None => schema,
    }
}

/// Prints the output, or writes its files (`-o`, else `output.<ext>`), as `cog predict` does.
/// Returns the files written.
pub fn present(response: &Value, schema: &Value, output: Option<&Path>, out: &mut dyn Write) -> Result<Vec<PathBuf>, PredictError> {
    let status = response.get("status").and_then(Value::as_str).unwrap_or("failed");
    if status != "succeeded" {
        let error = response
            .get("error")
            .filter(|e| !e.is_null())
            .map(|e| format!(": {}", e.as_str().map_or_else(|| e.to_string(), str::to_owned)));
        return Err(PredictError::Failed { status: status.to_owned(), error: error.unwrap_or_default() });
    }
    let value = response.get("output").unwrap_or(&Value::Null);
    let output_schema = schema
        .pointer("/paths/~1predictions/post/responses/200/content/application~1json/schema")
        .map(|s| resolve(schema, s))
        .and_then(|s| s.pointer("/properties/output"))
        .map_or(&Value::Null, |s| resolve(schema, s));
    let is_uri = |s: &Value| s.get("format").and_then(Value::as_str) == Some("uri");
    let destination = output.map_or_else(|| PathBuf::from("output"), Path::to_path_buf);
    let mut written = Vec::new();
    match value {
        Value::Null => crate::error::warn("the prediction gave no output"),
        Value::String(url) if is_uri(output_schema) && url.starts_with("data:") => {
            written.push(write_data_url(url, &destination)?);
        }
        Value::Array(items) if output_schema.get("items").is_some_and(|i| is_uri(resolve(schema, i))) => {
            for (index, item) in items.iter().enumerate() {
                let Some(url) = item.as_str().filter(|u| u.starts_with("data:")) else { continue };
                let stem = destination.with_extension("");
                let extension = destination.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
                let item_path = PathBuf::from(format!("{}.{index}{extension}", stem.display()));
                written.push(write_data_url(url, &item_path)?);
            }
        }
        other => {
            let text = match other {
                Value::String(text) => text.clone(),
                _ => serde_json::to_string_pretty(other).expect("a JSON value serialises"),
            };
            match output {
                Some(path) => {
                    write_to(path, text.as_bytes())?;
                    written.push(path.to_owned());
                }
                None => writeln!(out, "{text}").map_err(|source| PredictError::Write { path: "standard output".into(), source })?,
            }
        }
    }
    for path in &written {
        eprintln!("Written output to {}", path.display());
    }
    Ok(written)
}

/// Writes a data URL's bytes; a destination without extension gets one from the media type.
fn write_data_url(url: &str, destination: &Path) -> Result<PathBuf, PredictError> {
    let (header, data) = url.split_once(',').ok_or_else(|| PredictError::Api("an output data URL has no data".into()))?;
    let bytes = if header.ends_with(";base64") {
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| PredictError::Api(format!("an output data URL is not base64 ({e})")))?
    } else {
        data.as_bytes().to_vec()
    };
    let mime = header.trim_start_matches("data:").split(';').next().unwrap_or_default();
    let path = match (destination.extension(), extension_of(mime)) {
        (None, Some(extension)) => destination.with_extension(extension),
        _ => destination.to_owned(),
    };
    write_to(&path, &bytes)?;
    Ok(path)
}

fn write_to(path: &Path, bytes: &[u8]) -> Result<(), PredictError> {
    std::fs::write(path, bytes).map_err(|source| PredictError::Write { path: path.to_owned(), source })
}

/// Media types and file extensions, both ways.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/jpeg", "jpeg"),
    ("image/webp", "webp"),
    ("image/gif", "gif"),
    ("image/svg+xml", "svg"),
    ("audio/wav", "wav"),
    ("audio/mpeg", "mp3"),
    ("audio/ogg", "ogg"),
    ("audio/flac", "flac"),
    ("video/mp4", "mp4"),
    ("video/webm", "webm"),
    ("text/plain", "txt"),
    ("application/json", "json"),
    ("application/pdf", "pdf"),
    ("application/zip", "zip"),
];

fn mime_of(path: &Path) -> &'static str {
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    MEDIA_TYPES.iter().find(|(_, e)| *e == extension).map_or("application/octet-stream", |(m, _)| m)
}

fn extension_of(mime: &str) -> Option<&'static str> {
    MEDIA_TYPES.iter().find(|(m, _)| *m == mime).map(|(_, e)| *e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({
            "components": { "schemas": {
                "Input": { "properties": {
                    "steps": { "type": "integer" }, "scale": { "type": "number" }, "fast": { "type": "boolean" },
                    "tags": { "type": "array", "items": { "type": "integer" } }, "mode": { "allOf": [{ "$ref": "#/components/schemas/mode" }] },
                    "text": { "type": "string" }
                }},
                "mode": { "type": "string", "enum": ["a", "b"] },
                "Output": { "type": "string", "format": "uri" },
                "PredictionResponse": { "properties": { "output": { "$ref": "#/components/schemas/Output" } } }
            }},
            "paths": { "/predictions": { "post": { "responses": { "200": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/PredictionResponse" } } } } } } } }
        })
    }

    #[test]
    fn inputs_are_typed_by_the_schema() {
        let flags: Vec<String> =
            ["steps=4", "scale=1.5", "fast=true", "tags=1", "tags=2", "mode=a", "text=\"hi there\"", "other=x"].map(String::from).to_vec();
        let input = build_input(&parse_inputs(&flags).unwrap(), &schema()).unwrap();
        assert_eq!(
            Value::Object(input),
            json!({ "steps": 4, "scale": 1.5, "fast": true, "tags": [1, 2], "mode": "a", "text": "hi there", "other": "x" })
        );
    }

    #[test]
    fn bad_inputs_name_the_flag() {
        assert_eq!(parse_inputs(&["novalue".into()]).unwrap_err().to_string(), "-i novalue: expected name=value (or name=@file)");
        let error = build_input(&parse_inputs(&["steps=many".into()]).unwrap(), &schema()).unwrap_err();
        assert_eq!(error.to_string(), "-i steps: `many` is not an integer");
    }

    #[test]
    fn files_become_data_urls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.png");
        std::fs::write(&path, b"png").unwrap();
        let input = build_input(&parse_inputs(&[format!("image=@{}", path.display())]).unwrap(), &schema()).unwrap();
        assert_eq!(input["image"], "data:image/png;base64,cG5n");
    }

    #[test]
    fn uri_outputs_are_written_to_files_with_their_extension() {
        let dir = tempfile::tempdir().unwrap();
        let response = json!({ "status": "succeeded", "output": "data:image/png;base64,cG5n" });
        let mut out = Vec::new();
        let written = present(&response, &schema(), Some(&dir.path().join("result")), &mut out).unwrap();
        assert_eq!(written, [dir.path().join("result.png")]);
        assert_eq!(std::fs::read(&written[0]).unwrap(), b"png");
        assert!(out.is_empty());
    }

    #[test]
    fn other_outputs_are_printed_and_failures_reported() {
        let mut out = Vec::new();
        present(&json!({ "status": "succeeded", "output": "hello" }), &json!({}), None, &mut out).unwrap();
        present(&json!({ "status": "succeeded", "output": { "n": 1 } }), &json!({}), None, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "hello\n{\n  \"n\": 1\n}\n");
        let failed = present(&json!({ "status": "failed", "error": "CUDA out of memory" }), &json!({}), None, &mut Vec::new()).unwrap_err();
        assert_eq!(failed.to_string(), "the prediction failed: CUDA out of memory");
    }
}
