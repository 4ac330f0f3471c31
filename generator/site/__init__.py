"""Stage 3: from documents to the site's files. `assemble` gives each document its URL and builds
the collections (posts, projects, tags, neighbours); `routes` lists the site's own pages;
`themes` builds the Jinja environment; `render` renders every page (keeping unchanged ones);
`feeds` writes the Atom feed and sitemap; `styles` the code colours. Never imports a reader."""
