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
    # CPython releases nixpkgs lacks (3.6–3.9, exact patch releases), built with the model's
    # nixpkgs from its lib.mkPython and versions.json; its own nixpkgs is never used.
    nixpkgs-python.url = "github:cachix/nixpkgs-python";
    nixpkgs-python.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs = inputs@{ self, nixpkgs, dream2nix, flake-parts, nixpkgs-python }:
    let
      cognixLib = import ./lib { inherit (nixpkgs) lib; inherit dream2nix nixpkgs nixpkgs-python; };
      flakeModule = import ./lib/flake-module.nix cognixLib;
      examples = [ "cpu-hello" "gpu-torch" "system-run" ];
      parts = flake-parts.lib.mkFlake { inherit inputs; } {
        systems = [ "x86_64-linux" "aarch64-linux" ];

        # The examples are built with cognix's own flake-parts module, as a consuming flake would.
        imports = [ flakeModule ];

        flake = {
          lib = cognixLib;
          modules = {
            # The flake-parts module: `imports = [ cognix.modules.cog ];`, then one line per model.
            cog = flakeModule;
            # The same, under flake-parts' `modules.<class>.<name>` convention.
            flake.cog = flakeModule;
            # For dream2nix's evalModules (see modules/default.nix).
            dream2nix.cognix = ./modules;
          };
          flakeModules.default = flakeModule;
        };

        # Nix 2.8 compatible: perSystem's default `pkgs` goes through `inputs'`, which needs flakes
        # tagged `_type = "flake"` (Nix >= 2.13), so pkgs is instantiated here.
        perSystem = { config, system, pkgs, lib, ... }:
          let
            cognix-gen = pkgs.callPackage ./crates/cognix-gen/package.nix { };
            cognix = pkgs.callPackage ./crates/cognix/package.nix { };
          in
          {
            _module.args.pkgs = import nixpkgs { inherit system; };

            cognix.models = lib.listToAttrs (map
              (name: lib.nameValuePair "example-${name}" {
                src = ./examples + "/${name}";
                modules = [ (./examples + "/${name}/cognix.nix") ];
              })
              examples);

            packages = { inherit cognix-gen cognix; default = cognix-gen; };

            # `nix flake check` on a machine with network: the tools with their tests, the examples'
            # cog.nix are fresh, and (from the flake module, one check per model) every example
            # image builds (the GPU one fetches about 4 GB of torch and nvidia wheels; no GPU is
            # needed to build it).
            checks = {
              inherit cognix-gen cognix;
              examples-cog-nix-fresh = pkgs.runCommand "examples-cog-nix-fresh" { } ''
                ${lib.concatMapStrings (name: "${lib.getExe cognix-gen} generate --check ${./examples + "/${name}"}\n") examples}
                touch $out
              '';
            };

            devShells.default = pkgs.mkShell {
              packages = [ pkgs.cargo pkgs.rustc pkgs.clippy pkgs.rustfmt pkgs.jq pkgs.python3 cognix-gen ];
            };
          };
      };
    in
    # Listed one by one, so that each output is evaluated only when asked for: the template needs
    # neither nixpkgs nor network (`nix flake init -t <a local clone of cognix>`).
    {
      inherit (parts) lib modules flakeModules packages checks apps devShells;
      # Only flake.nix and cognix.nix: `nix flake init` adds them to an existing cog project.
      templates.default = {
        path = ./examples/template;
        description = "Build the cog project in this directory into an image with cognix";
      };
    };
}
