//! CUDA and cuDNN for GPU builds, decided from torch, TensorFlow or `build.cuda` exactly as cog's
//! Complete phase decides them (cog-spec §10.2). Where the default mode is friendlier than cog
//! (an unpinned torch, a torch newer than the table, a CUDA patch release no image has; and the
//! legacy rows `compat::tables` adds) is marked; `--strict` takes cog's path there too.
//! In: `build` as written and the requirement lines; out: `CudaVersions`, cog.nix's `build.cuda`
//! and `build.cudnn`.

use crate::compat::{latest_cuda, tables, Mode};
use crate::config::{non_empty, Build, Spanned};
use crate::diagnostic::{Kind, Reported, Sink};
use crate::requirements::{find, Requirement};
use crate::version;

/// The CUDA and cuDNN versions of a build (`None` on CPU builds unless written in cog.yaml).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CudaVersions {
    pub cuda: Option<String>,
    pub cudnn: Option<String>,
}

/// Completes `cuda` and `cudnn`. Like cog's Complete, the first error ends resolution.
///
/// # Panics
/// Never: the two `expect`s state invariants of the branches above them.
#[expect(clippy::too_many_lines, reason = "cog's Complete, kept in cog's order so the two read side by side")]
pub fn choose(build: &Build, lines: &[Requirement], mode: Mode, sink: &mut Sink) -> Result<CudaVersions, Reported> {
    let written = |field: &Option<Spanned<String>>| non_empty(field).map(|s| s.value.clone());
    if !build.gpu() {
        return Ok(CudaVersions { cuda: written(&build.cuda), cudnn: written(&build.cudnn) });
    }
    let t = tables(mode);
    let cuda_field = non_empty(&build.cuda);
    let cudnn_field = non_empty(&build.cudnn);
    let gpu_pos = build.gpu.as_ref().map_or(build.pos, |g| g.pos);

    // build.cuda as written, or (default mode) the nearest patch release an image has.
    let mut written_cuda = cuda_field.map(|c| c.value.clone());
    if let Some(cuda) = cuda_field {
        // Validation already rejected a bad major or a missing minor; only Complete checks that
        // the minor is a number (cog-spec §16.19).
        let minor = cuda.value.split('.').nth(1).unwrap_or_default();
        if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return Err(sink.fail(Kind::CudaMinorInvalid { value: cuda.value.clone() }, cuda.pos, "build.cuda"));
        }
        if mode == Mode::Default && t.latest_cudnn(&cuda.value).is_none() {
            if let Some(nearest) = t.nearest_patch(&cuda.value) {
                sink.report(Kind::CudaPatchMapped { written: cuda.value.clone(), used: nearest.to_owned() }, cuda.pos, "build.cuda");
                written_cuda = Some(nearest.to_owned());
            }
        }
        if let (Some(cudnn), Some(cuda_value)) = (cudnn_field, &written_cuda) {
            let compatible = t.compatible_cudnns(cuda_value);
            if !compatible.contains(&cudnn.value) {
                let kind = Kind::CudaCudnnUnsupported { cuda: cuda_value.clone(), cudnn: cudnn.value.clone(), compatible };
                return Err(sink.fail(kind, cudnn.pos, "build.cudnn"));
            }
        }
    }

    let torch = find(lines, "torch", mode);
    let tensorflow = find(lines, "tensorflow", mode);
    let mut torch_version = torch.as_ref().map(|f| f.version.clone());
    if let Some(torch) = &torch {
        if torch.version.is_empty() {
            match mode {
                Mode::Strict => return Err(sink.fail_in(&torch.line.file, Kind::TorchVersionRequired, torch.line.pos, &torch.line.key)),
                // Friendlier than cog: resolve as the newest torch cog knows; the lock pins the rest.
                Mode::Default => {
                    let assumed = t.newest_torch().to_owned();
                    sink.report_in(
                        &torch.line.file,
                        Kind::TorchUnpinnedAccepted { assumed: assumed.clone() },
                        torch.line.pos,
                        &torch.line.key,
                    );
                    torch_version = Some(assumed);
                }
            }
        }
    }
    let torch_cudas = torch_version.as_deref().map(|v| t.cudas_for_torch(v)).unwrap_or_default();

    let mut cuda = written_cuda;
    let mut cudnn = cudnn_field.map(|c| c.value.clone());
    // Where the CUDA version came from, for the position of a "not supported" error.
    let mut cuda_origin = cuda_field.map_or((gpu_pos, "build.gpu", None), |c| (c.pos, "build.cuda", None));

    match (&tensorflow, &torch_version) {
        (Some(tf), _) if !tf.version.is_empty() => {
            let row = t.tf_row(&tf.version);
            let (tf_cuda, tf_cudnn) = row.map_or((None, None), |r| (Some(r.cuda.clone()), Some(r.cudnn.clone())));
            match &cuda {
                None => {
                    let Some(tf_cuda) = tf_cuda.clone() else {
                        let kind = Kind::TensorflowUnknown { tf: tf.version.clone(), strict: mode == Mode::Strict };
                        return Err(sink.fail_in(&tf.line.file, kind, tf.line.pos, &tf.line.key));
                    };
                    cuda = Some(tf_cuda);
                    cuda_origin = (tf.line.pos, "", Some(tf.line));
                }
                Some(written) => {
                    let agrees = tf_cuda.as_deref().is_some_and(|c| version::equal_minor(c, written));
                    // cog warns when TensorFlow's CUDA *equals* build.cuda (cog-spec §16.4); the
                    // default mode warns when it differs, which is what the message means.
                    let warn = tf_cuda.is_none()
                        || match mode {
                            Mode::Strict => agrees,
                            Mode::Default => !agrees,
                        };
                    if warn {
                        let kind =
                            Kind::TensorflowCudaUnknown { cuda: written.clone(), tf: tf.version.clone(), suggestion: tf_cuda.clone() };
                        let pos = cuda_field.map_or(gpu_pos, |c| c.pos);
                        sink.report(kind, pos, "build.cuda");
                    }
                }
            }
            match (&cudnn, tf_cudnn) {
                (None, tf_cudnn) => cudnn = tf_cudnn,
                // cog also rejects a written cuDNN when it does not know the TensorFlow version
                // (and then lists no compatible version); the default mode keeps the written one.
                (Some(_), None) if mode == Mode::Default => {}
                (Some(written), tf_cudnn) => {
                    let tf_cudnn = tf_cudnn.unwrap_or_default();
                    if *written != tf_cudnn {
                        let kind = Kind::TensorflowCudnn { cudnn: written.clone(), tf: tf.version.clone(), tf_cudnn };
                        let pos = cudnn_field.map_or(gpu_pos, |c| c.pos);
                        return Err(sink.fail(kind, pos, "build.cudnn"));
                    }
                }
            }
        }
        (_, Some(torch_version)) if !torch_version.is_empty() => {
            let line = torch.as_ref().map(|f| f.line).expect("a torch version comes from a torch line");
            match &cuda {
                None => {
                    let latest = match latest_cuda(&torch_cudas) {
                        Some(latest) => latest.to_owned(),
                        // Friendlier than cog: a torch newer than the table gets the newest
                        // CUDA of the newest torch the table knows, said in a warning.
                        None if mode == Mode::Default && version::greater(torch_version, t.newest_torch()) => {
                            let assumed = t.newest_torch().to_owned();
                            let newest =
                                latest_cuda(&t.cudas_for_torch(&assumed)).map(str::to_owned).expect("the newest torch has GPU wheels");
                            let kind = Kind::TorchNewerAssumed { torch: torch_version.clone(), assumed, cuda: newest.clone() };
                            sink.report_in(&line.file, kind, line.pos, &line.key);
                            newest
                        }
                        None => {
                            let kind = Kind::TorchUnknown { torch: torch_version.clone(), strict: mode == Mode::Strict };
                            return Err(sink.fail_in(&line.file, kind, line.pos, &line.key));
                        }
                    };
                    cuda = Some(latest);
                    cuda_origin = (line.pos, "", Some(line));
                }
                Some(written) => {
                    if !torch_cudas.iter().any(|c| version::equal_minor(c, written)) {
                        let kind = Kind::TorchCudaUnknown {
                            cuda: written.clone(),
                            torch: torch_version.clone(),
                            suggestion: torch_cudas.last().cloned(),
                        };
                        let pos = cuda_field.map_or(gpu_pos, |c| c.pos);
                        sink.report(kind, pos, "build.cuda");
                    }
                }
            }
        }
        _ => {
            if cuda.is_none() {
                // cog's hard-coded default for GPU builds without a framework.
                cuda = Some("11.8".to_owned());
            }
        }
    }

    let cuda = cuda.expect("every branch above sets CUDA or returns");
    if cudnn.is_none() {
        let Some(latest) = t.latest_cudnn(&cuda) else {
            let kind = Kind::CudaUnsupported { cuda: cuda.clone() };
            return Err(match cuda_origin {
                (_, _, Some(line)) => sink.fail_in(&line.file, kind, line.pos, &line.key),
                (pos, key, None) => sink.fail(kind, pos, key),
            });
        };
        cudnn = Some(latest);
    }
    Ok(CudaVersions { cuda: Some(cuda), cudnn })
}
