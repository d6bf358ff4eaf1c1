"""The Browser style sheet and guide: every label of the tour has a colour, queries are inlined."""

import re

import cypher
from api.routes.browser import render_guide


def test_style_colours_the_main_labels_distinctly() -> None:
    text = (cypher.ROOT / "browser" / "style.grass").read_text()
    colours = dict(re.findall(r"node\.(\w+) \{\s*color: (#[0-9A-F]{6});", text))
    for label in ("User", "Product", "Order", "Card", "Device", "IP"):
        assert label in colours, label
    main = [colours[x] for x in ("User", "Product", "Order", "Card", "Device", "IP")]
    assert len(set(main)) == len(main)
    assert "node.RiskHigh" in text and text.count("{") == text.count("}")


def test_guide_inlines_queries_escaped_and_points_at_this_server() -> None:
    template = (cypher.ROOT / "browser" / "guide.html").read_text()
    page = render_guide(template, "http://localhost:8000/")
    assert "{{" not in page
    assert ":style http://localhost:8000/browser/style.grass" in page
    assert "MATCH (u:User)-[:USED_CARD" in page and "&lt;-[:" in page  # arrows escaped
    assert page.count("<slide") == 4
