//! Synthetic images in the docker-archive layout dockerTools.streamLayeredImage writes: every
//! `<diff_id hex>/layer.tar` first, then the config `<sha>.json`, then `manifest.json`.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::json;
use sha2::{Digest as _, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Deterministic bytes, half random (incompressible) and half text-like, as a model's files
/// are.
pub fn payload(seed: u64, size: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(size);
    while bytes.len() < size {
        for _ in 0..512 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(&state.to_le_bytes());
        }
        bytes.extend(b"def predict(self, text: str) -> str:\n    return text.upper()\n".iter().cycle().take(4096));
    }
    bytes.truncate(size);
    bytes
}

/// Random bytes only (what cognix's gzip writer stores rather than compresses).
pub fn noise(seed: u64, size: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(size + 8);
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

/// One layer: a tar holding one file of `size` bytes at `path`.
pub fn layer(path: &str, content: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1);
    header.set_cksum();
    builder.append_data(&mut header, path, content).unwrap();
    builder.into_inner().unwrap()
}

#[derive(Clone)]
pub struct Image {
    pub layers: Vec<Vec<u8>>,
    pub tag: String,
}

impl Image {
    /// `count` layers of `size` bytes each, from `seed`.
    pub fn new(seed: u64, count: usize, size: usize) -> Self {
        let layers = (0..count).map(|i| layer(&format!("nix/store/layer-{i}/data"), &payload(seed * 1000 + i as u64, size))).collect();
        Self { layers, tag: "model:synthetic".into() }
    }

    /// The same image with layer `index` replaced.
    pub fn with_layer(&self, index: usize, content: &[u8]) -> Self {
        let mut image = self.clone();
        image.layers[index] = layer(&format!("nix/store/layer-{index}/changed"), content);
        image
    }

    pub fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|l| sha256(l)).collect()
    }

    /// The config, with cog's labels (which a push must keep byte for byte).
    pub fn config(&self) -> Vec<u8> {
        let config = json!({
            "created": "1970-01-01T00:00:01+00:00",
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Cmd": ["python", "-m", "cog.server.http"],
                "Labels": {
                    "run.cog.config": "{\"build\":{\"gpu\":false,\"python_version\":\"3.12\"},\"predict\":\"predict.py:Predictor\"}",
                    "run.cog.version": "0.22.0",
                    "run.cog.openapi_schema": "{\"openapi\":\"3.0.2\"}",
                    "org.opencontainers.image.revision": "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
                }
            },
            "rootfs": { "diff_ids": self.diff_ids(), "type": "layers" },
        });
        serde_json::to_vec_pretty(&config).unwrap()
    }

    pub fn config_name(&self) -> String {
        config_name(&self.config())
    }

    pub fn layer_names(&self) -> Vec<String> {
        self.diff_ids().iter().map(|d| format!("{}/layer.tar", &d[7..])).collect()
    }

    pub fn manifest(&self) -> Vec<u8> {
        self.manifest_for(&self.config())
    }

    fn manifest_for(&self, config: &[u8]) -> Vec<u8> {
        serde_json::to_vec_pretty(&json!([{ "Config": config_name(config), "RepoTags": [self.tag], "Layers": self.layer_names() }]))
            .unwrap()
    }

    /// The archive, entries in streamLayeredImage's order.
    pub fn archive(&self) -> Vec<u8> {
        self.archive_with_config(&self.config())
    }

    /// The archive with another config (one whose `diff_ids` may not match the layers).
    pub fn archive_with_config(&self, config: &[u8]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |name: &str, bytes: &[u8]| {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(1);
            header.set_cksum();
            builder.append_data(&mut header, name, bytes).unwrap();
        };
        for (name, layer) in self.layer_names().iter().zip(&self.layers) {
            add(name, layer);
        }
        add(&config_name(config), config);
        add("manifest.json", &self.manifest_for(config));
        builder.into_inner().unwrap()
    }

    pub fn write(&self, path: &Path) {
        std::fs::File::create(path).unwrap().write_all(&self.archive()).unwrap();
    }
}

fn config_name(config: &[u8]) -> String {
    format!("{}.json", &sha256(config)[7..])
}

pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}
