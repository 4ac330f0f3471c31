"""The data every stage shares, as plain frozen records with no I/O beyond reading the config:
`config` (portfolio.yml into a validated `Config`), `documents` (Source, Meta, Rendered,
Document, Site, Output), `errors` (the user's errors and the diagnostics), `report` (the
build's report and the progress protocol), `urls` (slugs and base-path URLs) and `links` (the
placeholder a reader writes for a link to another source, which the site stage resolves)."""
