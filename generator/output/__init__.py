"""Stage 5: the only code that writes the site: stage every file beside the output folder, then
swap it in atomically (`writer`), reusing the site before last as the staging tree (`spare`)."""
