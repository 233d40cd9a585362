# .dockerignore semantics for `builtins.path`'s filter, as Docker's (moby/patternmatcher) applies
# them to a build context: comments and blank lines are skipped, `!` re-includes, the last
# matching pattern wins, `*` and `?` stay within one path component, `**` crosses components, and
# a pattern that matches a directory matches everything below it.
{ lib }:
let
  inherit (lib) hasPrefix removePrefix;

  # A glob as an anchored regular expression over a '/'-separated relative path.
  toRegex = glob:
    let
      chars = lib.stringToCharacters glob;
      go = acc: rest:
        if rest == [ ] then acc
        else
          let c = lib.head rest; tail = lib.tail rest; in
          if c == "*" && tail != [ ] && lib.head tail == "*" then
            let after = lib.tail tail; in
            if after != [ ] && lib.head after == "/" then go (acc + "(.*/)?") (lib.tail after)
            else go (acc + ".*") after
          else if c == "*" then go (acc + "[^/]*") tail
          else if c == "?" then go (acc + "[^/]") tail
          else go (acc + lib.escapeRegex c) tail;
    in
    go "" chars + "(/.*)?";

  # `/a/./b/` → `a/b`: patterns are relative to the context root and cleaned.
  clean = pattern:
    let parts = lib.filter (p: p != "" && p != ".") (lib.splitString "/" pattern); in
    lib.concatStringsSep "/" parts;

  parse = text:
    let
      lines = map lib.trim (lib.splitString "\n" (lib.replaceStrings [ "\r" ] [ "" ] text));
      kept = lib.filter (l: l != "" && !hasPrefix "#" l) lines;
    in
    map
      (line:
        let
          negated = hasPrefix "!" line;
          pattern = clean (if negated then lib.trim (removePrefix "!" line) else line);
        in
        { inherit negated pattern; regex = toRegex pattern; })
      kept;

  # Whether `relative` is ignored: the last pattern that matches decides.
  ignored = patterns: relative:
    lib.foldl' (state: p: if builtins.match p.regex relative != null then !p.negated else state) false patterns;
in
{
  inherit parse ignored;

  /** A `builtins.path` filter for `root` that drops what `text` (a .dockerignore) and the extra
      patterns ignore. A directory is kept when a `!` pattern could re-include something in it.

      # Type
      filter :: Path -> String -> [String] -> (String -> String -> Bool)
  */
  filter = root: text: extra:
    let
      patterns = parse (text + "\n" + lib.concatStringsSep "\n" extra);
      reincludes = lib.filter (p: p.negated) patterns;
      rootString = toString root;
    in
    path: type:
      let relative = removePrefix "${rootString}/" (toString path); in
      !(ignored patterns relative)
      || (type == "directory" && lib.any (p: hasPrefix "${relative}/" p.pattern) reincludes);
}
