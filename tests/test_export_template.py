"""An optional template .pptx from config.yaml is used as the deck's master."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.util import Inches

from marketintel import charts, queries
from marketintel.render_pptx import DeckSlide, build_deck
from marketintel.settings import settings


def test_deck_uses_the_configured_template(con, tmp_path):
    template = Presentation()
    template.slide_width, template.slide_height = Inches(13.333), Inches(7.5)
    template.core_properties.title = "Corporate master"
    path = tmp_path / "master.pptx"
    template.save(path)
    base = settings()
    config = base.model_copy(update={"export": base.export.model_copy(update={"pptx_template": str(path)})})
    fig = charts.growth_chart(queries.market_series(con), "linear", "Market size")
    deck = Presentation(io.BytesIO(build_deck([DeckSlide.from_chart(fig)], config=config)))
    assert deck.core_properties.title == "Corporate master"
    assert len(deck.slides) == 2
