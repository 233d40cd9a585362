//! The command line itself: help, usage errors (exit 2), and input errors found before any
//! network or build (exit 1, with a message that says what to do).

mod support;

use support::image::Image;
use support::run::Env;

#[test]
fn every_subcommand_has_help() {
    let env = Env::new();
    for command in ["build", "load", "predict", "serve", "lock", "push", "login"] {
        let output = env.run(&[command, "--help"]);
        assert_eq!(output.code, 0, "{command}: {}", output.stderr);
        assert!(output.stdout.contains("Usage: cognix"), "{command}: {}", output.stdout);
    }
    let output = env.run(&["--help"]);
    for command in ["build", "load", "predict", "serve", "lock", "push", "login"] {
        assert!(output.stdout.contains(&format!("  {command} ")), "{}", output.stdout);
    }
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    for args in [
        &["push"][..],
        &["push", "a", "b", "c"],
        &["push", "--image", "x.tar", "model", "r8.im/a/b"],
        &["push", "--image", "-", "--password-stdin", "r8.im/a/b"],
        &["push", "--compression-level", "0", "r8.im/a/b"],
        &["push", "--jobs", "0", "r8.im/a/b"],
        &["predict", "--setup-timeout", "soon"],
        &["frobnicate"],
    ] {
        let output = env.run(args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(output.stderr.contains("Usage:") || output.stderr.contains("error:"), "{args:?}: {}", output.stderr);
    }
    let conflict = env.run(&["push", "--image", "x.tar", "model", "r8.im/a/b"]);
    assert!(conflict.stderr.contains("give either MODEL or --image SOURCE, not both"), "{}", conflict.stderr);
    assert!(conflict.stderr.contains("Usage: cognix push"), "{}", conflict.stderr);
}

#[test]
fn a_bad_reference_says_what_a_reference_looks_like() {
    let env = Env::new();
    let output = env.run(&["push", "--image", "x.tar", "r8.im/Acme/Whisper"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr.trim(),
        "error: REF `r8.im/Acme/Whisper`: repository `Acme/Whisper` is not valid (lowercase letters, digits and . _ - separators, \
         components joined by /), e.g. r8.im/acme/whisper"
    );
    let digest = env.run(&["push", "--image", "x.tar", &format!("r8.im/a/b@sha256:{}", "0".repeat(64))]);
    assert!(digest.stderr.contains("names a digest; give a tag"), "{}", digest.stderr);
}

#[test]
fn bad_sources_are_named_before_the_registry_is_asked() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) on this machine: nothing is asked, since the source fails first.
    let reference = "127.0.0.1:9/acme/model";
    let missing = env.run(&["push", "--image", dir.path().join("nope.tar").to_str().unwrap(), reference]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("nope.tar: cannot be read"), "{}", missing.stderr);

    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    let text = env.run(&["push", "--image", dir.path().join("notes.txt").to_str().unwrap(), reference]);
    assert!(text.stderr.contains("is neither a stream script nor a docker-archive tar"), "{}", text.stderr);

    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(2);
    header.set_cksum();
    tar.append_data(&mut header, "manifest.json", &b"{}"[..]).unwrap();
    std::fs::write(dir.path().join("odd.tar"), tar.into_inner().unwrap()).unwrap();
    let odd = env.run(&["push", "--image", dir.path().join("odd.tar").to_str().unwrap(), reference]);
    assert_eq!(odd.code, 1);
    assert!(odd.stderr.contains("odd.tar is not a docker archive: manifest.json is not a list of images"), "{}", odd.stderr);

    let mut short = Image::new(1, 2, 1000).archive();
    short.truncate(1024);
    std::fs::write(dir.path().join("short.tar"), short).unwrap();
    let truncated = env.run(&["push", "--image", dir.path().join("short.tar").to_str().unwrap(), reference]);
    assert_eq!(truncated.code, 1);
    assert!(truncated.stderr.contains("short.tar is not a docker archive"), "{}", truncated.stderr);
}

#[test]
fn a_stopped_registry_is_reported_at_once() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    Image::new(1, 1, 1000).write(&dir.path().join("i.tar"));
    let port = support::registry::free_port();
    let start = std::time::Instant::now();
    let output = env.run(&["push", "--image", dir.path().join("i.tar").to_str().unwrap(), &format!("127.0.0.1:{port}/acme/model")]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.starts_with(&format!("error: cannot reach the registry 127.0.0.1:{port} (")), "{}", output.stderr);
    assert!(output.stderr.contains("check the address and that it is up"), "{}", output.stderr);
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "a refused first connection is not retried for long");
}
