"""Stage 1: find a site's inputs (`discover`: kind from location, format from the readers'
registry) and parse their front matter (`frontmatter` for Markdown and notebooks' raw cells,
`nbfront` for the rest of a notebook's metadata), with file and line in every error."""
