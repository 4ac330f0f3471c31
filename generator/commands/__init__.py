"""The commands besides `build`, each a library function the CLI calls: `scaffold` (init, new),
`serve` (with `serve_http` and `livereload`), `deploy` and `workflow` (GitHub Pages), `check`.
A new command (such as an importer) goes here."""
