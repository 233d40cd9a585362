# What cog.yaml cannot say: the hash of the file build.run downloads (the Nix build has no
# network, so the download is a pinned, fixed-output fetch).
{
  cognix.fetches."https://files.pythonhosted.org/packages/94/d1/78b51ad44e4a318ee4f6d32a0b344a918d5fd690de0b0ff6a116b1bc97cf/english-words-2.0.1.tar.gz".hash =
    "sha256-pBBcV0k7t1ej2Jc/z44dwF58oJyDbf9GfD+0RfhLxD0=";
}
