# A real derivation that builds nothing (builder /bin/sh), so drvPaths of the doubles can be
# computed; `attrs` become its environment, so two stubs differ exactly when what they record does.
system: name: attrs: derivation ({
  inherit name system;
  builder = "/bin/sh";
  args = [ "-c" "echo stub > $out" ];
} // attrs)
