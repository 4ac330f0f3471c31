"""Helpers with no knowledge of sites: a computation in a forked child (`background`), the one
git runner (`git`), and YAML with line numbers (`yamllines`)."""
