"""portfolio.yml: validation with key names and lines, base path, CNAME."""

from __future__ import annotations

import pytest

from generator.model.config import load_config
from generator.model.errors import BuildFailed, ConfigError


def write(tmp_path, text: str):
    (tmp_path / "portfolio.yml").write_text(text)
    return tmp_path


def test_minimal_config_and_project_site_base_path(tmp_path):
    config = load_config(write(tmp_path, "title: T\nurl: https://u.github.io/repo/\n"
                                         "author: {name: A}\n"))
    assert config.base_path == "/repo/"
    assert config.site_origin == "https://u.github.io"
    assert config.cname is None
    assert config.github.branch == "main"


@pytest.mark.parametrize("url,base,cname", [
    ("https://u.github.io/", "/", None),
    ("https://u.github.io/repo", "/repo/", None),
    ("https://ada.dev/", "/", "ada.dev"),
    ("https://ada.dev/notes/", "/notes/", "ada.dev"),
    ("", "/", None),
])
def test_base_path_and_cname(tmp_path, url, base, cname):
    config = load_config(write(tmp_path, f"title: T\nurl: '{url}'\nauthor: {{name: A}}\n"))
    assert config.base_path == base and config.cname == cname


def test_unknown_key_names_key_line_and_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: T\nauthor: {name: A}\ntilte: x\n"))
    err = info.value
    assert err.path == "portfolio.yml" and err.line == 3
    assert "unknown key 'tilte'" in err.message and "title" in err.hint


def test_wrong_type_and_missing_required_are_reported_together(tmp_path):
    with pytest.raises(BuildFailed) as info:
        load_config(write(tmp_path, "title: T\nposts_per_page: ten\ngithub:\n  owner: o\n"))
    messages = [str(e) for e in info.value.errors]
    assert any("portfolio.yml:2:" in m and "posts_per_page" in m and "whole number" in m
               for m in messages)
    assert any("missing required key 'author'" in m for m in messages)
    assert any("missing required key 'github.repo'" in m for m in messages)


def test_nested_unknown_key(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: T\nauthor:\n  name: A\n  emial: a@b.c\n"))
    assert info.value.line == 4 and "author.emial" in info.value.message
    assert "email" in info.value.hint


def test_bad_yaml_has_line_and_col(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: T\nauthor: {name: A\nmenu: []\n"))
    assert info.value.line is not None and info.value.path == "portfolio.yml"


def test_missing_config_file_has_hint(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "portfolio init" in info.value.hint


def test_url_must_be_http(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "title: T\nurl: ada.github.io\nauthor: {name: A}\n"))
    assert info.value.line == 2


def test_overrides_win(tmp_path):
    config = load_config(write(tmp_path, "title: T\nauthor: {name: A}\n"),
                         overrides={"url": "https://x.github.io/y/"})
    assert config.base_path == "/y/"


def test_digest_ignores_unrelated_keys(tmp_path):
    a = load_config(write(tmp_path, "title: A\nauthor: {name: A}\n"))
    b = load_config(write(tmp_path, "title: B\nauthor: {name: A}\n"))
    assert a.digest("safe", "notebooks") == b.digest("safe", "notebooks")
    assert a.digest() != b.digest()


def test_misspelt_required_key_is_one_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "tilte: T\nauthor: {name: A}\n"))
    assert "unknown key 'tilte'" in info.value.message


def test_repo_prefix_for_a_site_in_a_subfolder(tmp_path):
    (tmp_path / ".git").mkdir()
    site = tmp_path / "site"
    site.mkdir()
    assert load_config(write(site, "title: T\nauthor: {name: A}\n")).repo_prefix == "site/"
    assert load_config(write(tmp_path, "title: T\nauthor: {name: A}\n")).repo_prefix == ""


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path):
    write(tmp_path, 'author:\n  name: A\ntitle: "Unclosed\nurl: https://a.github.io/\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert (info.value.line, info.value.col) == (3, 8)
    assert "never closed" in str(info.value)


def test_an_unclosed_quote_in_front_matter_points_at_its_line(tmp_path):
    from generator.build import build

    (tmp_path / "portfolio.yml").write_text("title: X\nauthor:\n  name: A\n")
    post = tmp_path / "content/posts/2024-01-01-a.md"
    post.parent.mkdir(parents=True)
    post.write_text('---\ntitle: "Unclosed\ndate: 2024-01-01\n---\nbody\n')
    with pytest.raises(BuildFailed) as info:
        build(tmp_path, out_dir=tmp_path / "out")
    error = info.value.errors[0]
    assert error.path == "content/posts/2024-01-01-a.md" and error.line == 2
    assert "never closed" in str(error)
