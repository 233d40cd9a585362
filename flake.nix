{
  description = "Build Replicate Cog model images with Nix, from an unchanged cog.yaml";

  nixConfig = {
    # The CUDA maintainers' binary cache, for nixpkgs packages built with CUDA (models that set
    # cudaSupport). Nix asks before it uses a flake's nixConfig, so nothing is trusted unasked.
    extra-substituters = [ "https://cache.nixos-cuda.org" ];
    extra-trusted-public-keys = [ "cache.nixos-cuda.org:74DUi4Ye579gUqzH4ziL9IyiJBlDpMRn9MBN8oNan9M=" ];
  };

  inputs = {
    dream2nix.url = "github:nix-community/dream2nix";
    # One nixpkgs for everything: the one dream2nix is tested with.
    nixpkgs.follows = "dream2nix/nixpkgs";
    flake-parts.url = "github:hercules-ci/flake-parts";
    flake-parts.inputs.nixpkgs-lib.follows = "nixpkgs";
  };

  outputs = inputs@{ self, nixpkgs, dream2nix, flake-parts }:
    let
      cognixLib = import ./lib { inherit (nixpkgs) lib; inherit dream2nix nixpkgs; };
      examples = [ "cpu-hello" "gpu-torch" "system-run" ];
      example = system: name: cognixLib.model {
        inherit system;
        src = ./examples + "/${name}";
        root = ./.;
        rootFile = "flake.nix";
        name = "example-${name}";
        modules = [ (./examples + "/${name}/cognix.nix") ];
        revision = self.rev or null;
      };
    in
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" ];

      flake = {
        lib = cognixLib;
        # For dream2nix's evalModules (see modules/default.nix).
        modules.dream2nix.cognix = ./modules;
        flakeModules.default = import ./lib/flake-module.nix cognixLib;
        # Only flake.nix and cognix.nix: `nix flake init` adds them to an existing cog project.
        templates.default = {
          path = ./examples/template;
          description = "Build the cog project in this directory into an image with cognix";
        };
      };

      # Nix 2.8 compatible: perSystem's default `pkgs` goes through `inputs'`, which needs flakes
      # tagged `_type = "flake"` (Nix >= 2.13), so pkgs is instantiated here.
      perSystem = { system, pkgs, lib, ... }:
        let
          cognix-gen = pkgs.callPackage ./crates/cognix-gen/package.nix { };
          # Model images are linux/amd64, like cog's.
          images = lib.optionalAttrs (system == "x86_64-linux")
            (lib.listToAttrs (map (name: lib.nameValuePair "example-${name}" (example system name).image) examples));
        in
        {
          _module.args.pkgs = import nixpkgs { inherit system; };

          packages = { inherit cognix-gen; default = cognix-gen; } // images;

          # `nix flake check` on a machine with network: the tool with its tests, the examples'
          # cog.nix are fresh, and every example image builds (the GPU one fetches about 4 GB of
          # torch and nvidia wheels; no GPU is needed to build it).
          checks = {
            inherit cognix-gen;
            examples-cog-nix-fresh = pkgs.runCommand "examples-cog-nix-fresh" { } ''
              ${lib.concatMapStrings (name: "${lib.getExe cognix-gen} generate --check ${./examples + "/${name}"}\n") examples}
              touch $out
            '';
          } // images;

          devShells.default = pkgs.mkShell {
            packages = [ pkgs.cargo pkgs.rustc pkgs.clippy pkgs.rustfmt pkgs.jq pkgs.python3 cognix-gen ];
          };
        };
    };
}
