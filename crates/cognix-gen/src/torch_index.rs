//! cog's requirement rewrite for linux/amd64 (cog-spec §11): pinned torch, torchvision and
//! TensorFlow lines are pointed at the wheel built for the resolved CUDA (or the CPU wheel), and
//! the wheel index they come from is collected. In: one requirement line and the build's GPU and
//! CUDA; out: the line to install, its index URLs, and a warning when there is one.

use crate::compat::{tables, Mode, Tables, TorchRow};
use crate::diagnostic::Kind;
use crate::requirements::{is_local, normalize, package_name, split_pinned, versions};
use crate::version;

/// One rewritten line and the indexes it needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rewritten {
    /// The requirement to install; empty when cog blanks the line (TensorFlow, strict mode).
    pub line: String,
    pub find_links: Vec<String>,
    pub extra_index_urls: Vec<String>,
    pub warning: Option<Kind>,
}

/// What the rewrite needs to know about the build.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub gpu: bool,
    /// The resolved CUDA version (GPU builds only).
    pub cuda: &'a str,
    pub mode: Mode,
}

/// Rewrites one requirement line (without its inline options, which `python.rs` splits off).
/// `line` is returned unchanged when cog would pass it through verbatim.
pub fn rewrite(line: &str, target: Target<'_>) -> Rewritten {
    let verbatim = || Rewritten { line: line.to_owned(), ..Rewritten::default() };
    if is_local(line) {
        return verbatim();
    }
    let Some(pinned) = split_pinned(line) else {
        return verbatim();
    };
    let mut out = Rewritten {
        find_links: pinned.find_links.iter().map(|s| (*s).to_owned()).collect(),
        extra_index_urls: pinned.extra_index_urls.iter().map(|s| (*s).to_owned()).collect(),
        ..Rewritten::default()
    };
    let (name, ver) = (pinned.name, pinned.version);
    let framework = match target.mode {
        Mode::Strict => name.to_owned(),
        Mode::Default => normalize(name),
    };
    let pin = |n: &str, v: &str| format!("{n}=={v}");
    let t = tables(target.mode);
    if !out.extra_index_urls.is_empty() {
        // An index written on the line wins over the matrix.
        out.line = pin(name, ver);
        return out;
    }
    let row = match (framework.as_str(), target.gpu) {
        ("tensorflow", true) => {
            let known = t.tf.iter().find(|r| r.tf == ver && version::equal(&r.cuda, target.cuda));
            out.line = match (known, target.mode) {
                // TensorFlow 1.x had a package of its own for GPUs (`tensorflow-gpu`); cog's rows
                // all say `tensorflow==<v>`, which is what it writes.
                (Some(row), Mode::Default) => row.gpu_package.clone(),
                (Some(_), Mode::Strict) | (None, Mode::Default) => pin("tensorflow", ver),
                // cog blanks the line and re-adds `tensorflow==<v>` at the end (cog-spec §16.15).
                (None, Mode::Strict) => String::new(),
            };
            return out;
        }
        ("torch", true) => torch_gpu(t, ver, target.cuda).map(|r| (r, r.torch_version().to_owned())),
        ("torch", false) => torch_cpu(t, ver).map(|r| (r, r.torch_version().to_owned())),
        ("torchvision", true) => {
            let row = torchvision_gpu(t, ver, target.cuda);
            if row.is_none() {
                out.warning = Some(Kind::TorchvisionCudaUnknown { cuda: target.cuda.to_owned(), torchvision: ver.to_owned() });
            }
            row.map(|r| (r, r.torchvision_version().to_owned()))
        }
        // The CPU torchvision keeps the row's local tag (`0.14.1+cpu`), as cog writes it.
        ("torchvision", false) => torchvision_cpu(t, ver).map(|r| (r, r.torchvision.clone())),
        _ => {
            out.line = match target.mode {
                // cog rewrites every pinned line to `name==version`, dropping markers and hashes.
                Mode::Strict => pin(name, ver),
                Mode::Default => line.to_owned(),
            };
            return out;
        }
    };
    match row {
        Some((row, row_version)) => {
            out.line = pin(&framework, &row_version);
            push_unique(&mut out.find_links, &row.find_links);
            push_unique(&mut out.extra_index_urls, &row.extra_index_url);
        }
        None => out.line = pin(&framework, ver),
    }
    out
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// The wheel for the newest CUDA not above the build's; on a tie the newer torch.
fn torch_gpu<'t>(t: &'t Tables, ver: &str, cuda: &str) -> Option<&'t TorchRow> {
    let mut best: Option<&TorchRow> = None;
    for row in &t.torch {
        let Some(row_cuda) = row.cuda.as_deref() else { continue };
        if !version::matches(row.torch_version(), ver) || version::greater(row_cuda, cuda) {
            continue;
        }
        best = match best {
            None => Some(row),
            Some(b) => {
                let b_cuda = b.cuda.as_deref().unwrap_or_default();
                let better =
                    version::greater(row_cuda, b_cuda) || (row_cuda == b_cuda && version::greater(row.torch_version(), b.torch_version()));
                Some(if better { row } else { b })
            }
        };
    }
    best
}

fn torch_cpu<'t>(t: &'t Tables, ver: &str) -> Option<&'t TorchRow> {
    t.torch.iter().find(|r| r.cuda.is_none() && r.torch_version() == ver)
}

fn torchvision_gpu<'t>(t: &'t Tables, ver: &str, cuda: &str) -> Option<&'t TorchRow> {
    let mut best: Option<&TorchRow> = None;
    for row in &t.torch {
        let Some(row_cuda) = row.cuda.as_deref() else { continue };
        if row.torchvision_version() != ver || version::greater(row_cuda, cuda) {
            continue;
        }
        if best.is_none_or(|b| version::greater(row_cuda, b.cuda.as_deref().unwrap_or_default())) {
            best = Some(row);
        }
    }
    best
}

fn torchvision_cpu<'t>(t: &'t Tables, ver: &str) -> Option<&'t TorchRow> {
    t.torch.iter().find(|r| r.cuda.is_none() && r.torchvision_version() == ver)
}

/// cog's "include packages" (strict mode): `name==<version token>` for each framework line, added
/// at the end unless a rewritten line already installs that package. Only a blanked TensorFlow
/// line leaves one behind.
pub fn includes(original: &[&str], rewritten: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["torch", "torchvision", "torchaudio", "tensorflow"] {
        let Some(line) = original.iter().find(|l| !is_local(l) && package_name(l) == name) else { continue };
        let token = versions(line).first().copied().unwrap_or_default();
        if !rewritten.iter().any(|r| !is_local(r) && package_name(r) == name) {
            out.push(format!("{name}=={token}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpu(cuda: &str) -> Target<'_> {
        Target { gpu: true, cuda, mode: Mode::Strict }
    }

    const CPU: Target<'static> = Target { gpu: false, cuda: "", mode: Mode::Strict };

    fn line_and_index(line: &str, target: Target<'_>) -> (String, Vec<String>) {
        let r = rewrite(line, target);
        (r.line, r.extra_index_urls)
    }

    #[test]
    fn cog_generator_examples() {
        let cu118 = vec!["https://download.pytorch.org/whl/cu118/".to_owned()];
        assert_eq!(line_and_index("torch==2.0.1", gpu("11.8")), ("torch==2.0.1".into(), cu118.clone()));
        assert_eq!(line_and_index("torchvision==0.15.2", gpu("11.8")), ("torchvision==0.15.2".into(), cu118.clone()));
        assert_eq!(line_and_index("torchaudio==2.0.2", gpu("11.8")), ("torchaudio==2.0.2".into(), vec![]));
        assert_eq!(line_and_index("torch==2.3", gpu("11.8")), ("torch==2.3.1".into(), cu118.clone()));
        assert_eq!(line_and_index("torch==2.3.1+cu118", gpu("11.8")), ("torch==2.3.1".into(), cu118));
        assert_eq!(line_and_index("torch==2.0.1", CPU), ("torch==2.0.1".into(), vec!["https://download.pytorch.org/whl/cpu/".to_owned()]));
        assert_eq!(
            line_and_index("torch==1.12.1 --extra-index-url=https://download.pytorch.org/whl/cu116", gpu("11.8")),
            ("torch==1.12.1".into(), vec!["https://download.pytorch.org/whl/cu116".to_owned()])
        );
        assert_eq!(line_and_index("fastapi>=0.6,<1", gpu("11.8")), ("fastapi>=0.6,<1".into(), vec![]));
    }

    #[test]
    fn derived_cases() {
        assert_eq!(line_and_index("torch==2.8.0", gpu("11.8")), ("torch==2.8.0".into(), vec![]));
        assert_eq!(line_and_index("torch==2.0.1", gpu("13.0")).1, ["https://download.pytorch.org/whl/cu118/"]);
        assert_eq!(line_and_index("torchvision==0.14.1", CPU).0, "torchvision==0.14.1+cpu");
        assert_eq!(line_and_index("colorama==0.4.6 ; sys_platform == 'win32'", gpu("11.8")).0, "colorama==0.4.6");
    }

    #[test]
    fn default_mode_keeps_markers_and_sees_capitalised_torch() {
        let default = Target { gpu: true, cuda: "12.1", mode: Mode::Default };
        assert_eq!(rewrite("colorama==0.4.6 ; sys_platform == 'win32'", default).line, "colorama==0.4.6 ; sys_platform == 'win32'");
        assert_eq!(
            line_and_index("Torch==2.1.0", default),
            ("torch==2.1.0".into(), vec!["https://download.pytorch.org/whl/cu121/".to_owned()])
        );
    }

    #[test]
    fn tensorflow_without_a_row_is_blanked_and_re_added_in_strict_mode() {
        let r = rewrite("tensorflow==2.16.1", gpu("12.4"));
        assert_eq!(r.line, "");
        assert_eq!(includes(&["tensorflow==2.16.1"], &[r.line]), ["tensorflow==2.16.1"]);
        assert_eq!(rewrite("tensorflow==2.12.0", gpu("11.8")).line, "tensorflow==2.12.0");
    }

    #[test]
    fn unknown_torchvision_warns() {
        let r = rewrite("torchvision==0.1.0", gpu("11.8"));
        assert_eq!(r.line, "torchvision==0.1.0");
        assert!(matches!(r.warning, Some(Kind::TorchvisionCudaUnknown { .. })));
    }
}
