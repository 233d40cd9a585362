//! cog's own resolution cases (cog-spec §10.3 and §11, with the cog test each comes from where
//! there is one), run through the whole pipeline in `--strict` mode, which must give cog's
//! answers exactly.

mod common;

use cognix_gen::diagnostic::Severity;
use cognix_gen::{resolve, Mode};
use common::TempProject;

struct Case {
    build: &'static str,
    requirements: &'static [&'static str],
    /// (cuda, cudnn) or the beginning of the first error.
    expect: Result<(&'static str, &'static str), &'static str>,
}

const CASES: &[Case] = &[
    // TestGenerateEmptyGPU: the hard-coded default.
    Case { build: "gpu: true", requirements: &[], expect: Ok(("11.8", "8")) },
    // TestValidateAndCompleteCUDAForSelectedTorch
    Case { build: "gpu: true", requirements: &["torch==2.0.1"], expect: Ok(("11.8", "8")) },
    Case { build: "gpu: true", requirements: &["torch==1.13.1"], expect: Ok(("11.7", "8")) },
    Case { build: "gpu: true", requirements: &["torch==1.11.0"], expect: Ok(("11.3", "8")) },
    Case { build: "gpu: true", requirements: &["torch==2.11.0"], expect: Ok(("13.0", "9")) },
    // TestCudasFromTorchWithCUVersionModifier
    Case { build: "gpu: true", requirements: &["torch==2.0.1+cu118"], expect: Ok(("11.8", "8")) },
    Case { build: "gpu: true", requirements: &["torch==2.0.1+cu121"], expect: Ok(("11.8", "8")) },
    // TestUnsupportedTorch
    Case {
        build: "gpu: true",
        requirements: &["torch==0.4.1"],
        expect: Err("cog doesn't know what CUDA version is compatible with torch==0.4.1."),
    },
    Case { build: "gpu: true\n  cuda: \"11.8\"", requirements: &["torch==0.4.1"], expect: Ok(("11.8", "8")) },
    // integration test build_torch_version_required
    Case { build: "gpu: true", requirements: &["torch"], expect: Err("torch version must be specified when using CUDA") },
    Case { build: "gpu: true\n  cuda: \"12.1\"", requirements: &["torch"], expect: Err("torch version must be specified when using CUDA") },
    // Ranges resolve against their first bound.
    Case { build: "gpu: true", requirements: &["torch>=2.0"], expect: Ok(("11.8", "8")) },
    Case { build: "gpu: true", requirements: &["torch<2.7.0"], expect: Ok(("12.8", "9")) },
    Case { build: "gpu: true", requirements: &["torch~=2.1.0"], expect: Ok(("12.1", "8")) },
    Case { build: "gpu: true", requirements: &["torch==2.3"], expect: Ok(("12.1", "8")) },
    // `+cpu` is ignored on GPU builds.
    Case { build: "gpu: true", requirements: &["torch==2.0.1+cpu"], expect: Ok(("11.8", "8")) },
    // torch===x and direct references are unknown torch versions.
    Case {
        build: "gpu: true",
        requirements: &["torch===2.0.1"],
        expect: Err("cog doesn't know what CUDA version is compatible with torch=="),
    },
    Case { build: "gpu: true\n  cuda: \"12.4\"", requirements: &["torch==2.3.1"], expect: Ok(("12.4", "9")) },
    // TestCUDABaseImageTag
    Case { build: "gpu: true", requirements: &["tensorflow==2.12.0"], expect: Ok(("11.8", "8")) },
    // TestPythonPackagesBothTorchAndTensorflow
    Case { build: "gpu: true\n  cuda: \"12.3\"", requirements: &["tensorflow==2.16.1", "torch==2.3.1"], expect: Ok(("12.3", "8")) },
    Case { build: "gpu: true", requirements: &["tensorflow==2.16.1"], expect: Ok(("12.3", "8")) },
    // TestUnsupportedTensorflow
    Case {
        build: "gpu: true",
        requirements: &["tensorflow==0.4.1"],
        expect: Err("cog doesn't know what CUDA version is compatible with tensorflow==0.4.1."),
    },
    Case { build: "gpu: true\n  cuda: \"11.8\"", requirements: &["tensorflow==0.4.1"], expect: Ok(("11.8", "8")) },
    Case { build: "gpu: true\n  cuda: \"12.7\"", requirements: &[], expect: Err("CUDA 12.7 is not supported by Cog") },
    Case {
        build: "gpu: true\n  cuda: \"12.4\"\n  cudnn: \"8\"",
        requirements: &[],
        expect: Err("CUDA 12.4 is incompatible with CuDNN 8: compatible CuDNN versions are: 9, 9"),
    },
    Case {
        build: "gpu: true\n  cuda: \"12.7\"\n  cudnn: \"9\"",
        requirements: &[],
        expect: Err("the specified CUDA version 12.7 is not compatible with CuDNN 9.\nCompatible CuDNN versions are: "),
    },
    // TestCUDABaseImageTagWithExplicitMinorCUDAAndCuDNN
    Case { build: "gpu: true\n  cuda: \"11.6\"\n  cudnn: \"8\"", requirements: &[], expect: Ok(("11.6", "8")) },
    Case { build: "gpu: true\n  cuda: \"11.8.0\"", requirements: &[], expect: Ok(("11.8.0", "8")) },
    Case { build: "gpu: true\n  cuda: \"11.8.5\"", requirements: &[], expect: Err("CUDA 11.8.5 is not supported by Cog") },
    // `Torch==` is not torch to cog.
    Case { build: "gpu: true", requirements: &["Torch==2.0.1"], expect: Ok(("11.8", "8")) },
    // Validation accepts a non-numeric minor, Complete does not.
    Case { build: "gpu: true\n  cuda: \"11.A\"", requirements: &[], expect: Err("invalid minor version in CUDA version \"11.A\"") },
    Case { build: "gpu: false\n  cuda: \"11.A\"", requirements: &[], expect: Ok(("11.A", "")) },
];

fn project(build: &str, requirements: &[&str]) -> TempProject {
    let yaml =
        format!("build:\n  python_version: \"3.12\"\n  {build}\n  python_requirements: requirements.txt\nrun: \"predict.py:Predictor\"\n");
    let reqs: String = requirements.iter().flat_map(|r| [r, "\n"]).collect();
    TempProject::new(&[("cog.yaml", &yaml), ("requirements.txt", &reqs)])
}

#[test]
fn cuda_resolution_matches_cog() {
    for case in CASES {
        let p = project(case.build, case.requirements);
        let outcome = resolve(p.path(), Mode::Strict);
        let label = format!("{} {:?}", case.build.replace('\n', " "), case.requirements);
        match (&outcome.completed, case.expect) {
            (Some(r), Ok((cuda, cudnn))) => {
                assert_eq!(r.build.cuda.as_deref().unwrap_or(""), cuda, "{label}");
                assert_eq!(r.build.cudnn.as_deref().unwrap_or(""), cudnn, "{label}");
            }
            (None, Err(message)) => {
                let first = outcome.diagnostics.iter().find(|d| d.severity() == Severity::Error).unwrap();
                assert!(first.message().starts_with(message), "{label}: {}", first.message());
            }
            (resolved, expected) => panic!("{label}: expected {expected:?}, got {resolved:?} {:?}", outcome.diagnostics),
        }
    }
}

/// (build, requirements, expected lines, expected extra index URLs), cog-spec §11.
type Rewrite = (&'static str, &'static [&'static str], &'static [&'static str], &'static [&'static str]);

const REWRITES: &[Rewrite] = &[
    // TestPythonPackagesForArchTorchGPU
    (
        "gpu: true\n  cuda: \"11.8\"",
        &["torch==2.0.1", "torchvision==0.15.2", "torchaudio==2.0.2", "foo==1.0.0"],
        &["torch==2.0.1", "torchvision==0.15.2", "torchaudio==2.0.2", "foo==1.0.0"],
        &["https://download.pytorch.org/whl/cu118/"],
    ),
    // TestPythonPackagesForArchTorchCPU
    (
        "gpu: false",
        &["torch==2.0.1", "torchvision==0.15.2", "torchaudio==2.0.2", "foo==1.0.0"],
        &["torch==2.0.1", "torchvision==0.15.2", "torchaudio==2.0.2", "foo==1.0.0"],
        &["https://download.pytorch.org/whl/cpu/"],
    ),
    ("gpu: true\n  cuda: \"11.8\"", &["torch==2.3"], &["torch==2.3.1"], &["https://download.pytorch.org/whl/cu118/"]),
    ("gpu: true\n  cuda: \"11.8\"", &["torch==2.3.1+cu118"], &["torch==2.3.1"], &["https://download.pytorch.org/whl/cu118/"]),
    // TestTorchWithExistingExtraIndexURL
    (
        "gpu: true\n  cuda: \"11.6\"",
        &["torch==1.12.1 --extra-index-url=https://download.pytorch.org/whl/cu116"],
        &["torch==1.12.1"],
        &["https://download.pytorch.org/whl/cu116"],
    ),
    // TestPythonRequirementsWorksWithLinesCogCannotParse
    ("gpu: false", &["fastapi>=0.6,<1", "flask>0.4"], &["fastapi>=0.6,<1", "flask>0.4"], &[]),
    // TestPythonPackagesForArchTensorflowGPU
    ("gpu: true\n  cuda: \"11.8\"", &["tensorflow==2.12.0"], &["tensorflow==2.12.0"], &[]),
    // TensorFlow without a row for the CUDA: blanked and re-added at the end.
    ("gpu: true\n  cuda: \"12.4\"", &["tensorflow==2.16.1", "numpy==1.26.4"], &["numpy==1.26.4", "tensorflow==2.16.1"], &[]),
    ("gpu: true\n  cuda: \"11.8\"", &["torch==2.8.0"], &["torch==2.8.0"], &[]),
    ("gpu: false", &["torchvision==0.14.1"], &["torchvision==0.14.1+cpu"], &["https://download.pytorch.org/whl/cpu/"]),
];

#[test]
fn requirement_rewrites_match_cog() {
    for (build, requirements, lines, indexes) in REWRITES {
        let p = project(build, requirements);
        let outcome = resolve(p.path(), Mode::Strict);
        let r = outcome.completed.unwrap_or_else(|| panic!("{build} {requirements:?}: {:?}", outcome.diagnostics));
        assert_eq!(r.build.python_packages, *lines, "{requirements:?}");
        assert_eq!(r.build.python_index.extra_index_urls, *indexes, "{requirements:?}");
    }
}
