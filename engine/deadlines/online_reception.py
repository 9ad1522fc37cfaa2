"""Online reception: from when a unit may receive petitions sent over the internet.

A dated legal parameter like the deadlines of config/workflow.toml: Luật 136/2025/QH15
(passed 10/12/2025) amends the Law on Citizen Reception with online reception (new Article
3a), in force from 01/07/2026. Before that date the public form says when it opens and
accepts nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DatedRule:
    applies_from: date
    source_vi: str
    source_en: str

    def in_force(self, day: date) -> bool:
        return day >= self.applies_from

    def source(self, lang: str = "vi") -> str:
        return self.source_en if lang == "en" else self.source_vi


ONLINE_RECEPTION = DatedRule(
    applies_from=date(2026, 7, 1),
    source_vi="Luật số 136/2025/QH15 sửa đổi, bổ sung Luật Tiếp công dân (Điều 3a, tiếp công dân trực tuyến), "
              "có hiệu lực từ 01/07/2026",
    source_en="Law No. 136/2025/QH15 amending the Law on Citizen Reception (Article 3a, online reception), "
              "in force from 01/07/2026",
)
