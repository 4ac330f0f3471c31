"""Stage 4: checks of the built pages, as a visitor and a reviewer would: links and anchors
(`links`), leaks and page scans (`pages`), sizes and the summary (`findings`), and notebooks
that will not run in Colab (`notebooks`). They read outputs and the site; they never build."""
