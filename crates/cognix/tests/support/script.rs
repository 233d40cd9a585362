//! Stand-ins for what `nix build` leaves in `./result`: a wrapper that execs a streamer with a
//! conf.json (store layers as directories, a customisation layer with its `checksum`). The
//! streamer here writes a prepared archive and counts its runs, so a test can tell whether a
//! push streamed at all.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::image::Image;

pub struct StreamScript {
    pub result: PathBuf,
    dir: PathBuf,
}

/// Writes an executable file.
pub fn executable(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

impl StreamScript {
    /// A script streaming `image` from `dir/<name>/`; its store layers are directories named
    /// after `layer_names` (all layers but the last, the customisation layer).
    pub fn new(dir: &Path, name: &str, image: &Image, layer_names: &[&str]) -> Self {
        assert_eq!(layer_names.len() + 1, image.layers.len());
        let own = dir.join(name);
        fs::create_dir_all(&own).unwrap();
        let store = dir.join("store");
        let store_layers: Vec<Vec<String>> = layer_names
            .iter()
            .map(|layer| {
                let path = store.join(layer);
                fs::create_dir_all(&path).unwrap();
                vec![path.display().to_string()]
            })
            .collect();
        let customisation = own.join("customisation");
        fs::create_dir_all(&customisation).unwrap();
        fs::write(customisation.join("checksum"), &image.diff_ids().last().unwrap()[7..]).unwrap();
        let conf = json!({
            "architecture": "amd64", "config": {}, "created": "1970-01-01T00:00:01Z", "mtime": "1970-01-01T00:00:01Z",
            "uid": 0, "gid": 0, "uname": "root", "gname": "root", "store_dir": store.display().to_string(), "from_image": null,
            "store_layers": store_layers, "customisation_layer": customisation.display().to_string(), "repo_tag": image.tag,
        });
        fs::write(own.join("conf.json"), serde_json::to_vec_pretty(&conf).unwrap()).unwrap();
        image.write(&own.join("conf.json.archive"));
        let streamer = dir.join("streamer");
        executable(&streamer, "#!/bin/sh\necho run >> \"$1.runs\"\nexec cat \"$1.archive\"\n");
        let result = own.join("result");
        executable(&result, &format!("#!/bin/sh\nexec \"{}\"  {} \"$@\"\n", streamer.display(), own.join("conf.json").display()));
        Self { result, dir: own }
    }

    /// How often the streamer ran.
    pub fn runs(&self) -> usize {
        fs::read_to_string(self.dir.join("conf.json.runs")).map_or(0, |text| text.lines().count())
    }
}
