"""A customer's country as an ISO 3166 code, from what a salesperson typed in Contact.txt."""

from __future__ import annotations

import unicodedata
from functools import cache

from folder_kit.kept import Json, Kept

# What people type that ISO 3166 does not spell that way.
_ALIASES = {
    "uk": "GB",
    "england": "GB",
    "great britain": "GB",
    "britain": "GB",
    "uae": "AE",
    "emirates": "AE",
    "usa": "US",
    "america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "russia": "RU",
    "korea": "KR",
    "south korea": "KR",
    "turkey": "TR",
    "vietnam": "VN",
    "iran": "IR",
    "holland": "NL",
    "deutschland": "DE",
    "españa": "ES",
    "italia": "IT",
    "méxico": "MX",
    "brasil": "BR",
    "中国大陆": "CN",
    "大陆": "CN",
    "台湾": "TW",
    "臺灣": "TW",
    "香港": "HK",
    "澳门": "MO",
    "韩国": "KR",
    "俄罗斯": "RU",
    "英国": "GB",
    "美国": "US",
    "阿联酋": "AE",
    "越南": "VN",
}
CHINESE_COUNTRIES = frozenset({"CN", "TW", "HK"})


@cache  # `due` asks for every customer's, and a workspace has few countries
def country_code(text: str) -> str | None:
    """``US`` for "US", "USA", "United States", "美国"; None when nothing fits.
    pycountry's answers are kept per user (``kept.Kept``): importing it and reading
    its catalogues for "德国" cost more than the rest of a `due`."""
    key = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    known, code = _KEPT.get(key, _a_code)
    if known:
        return code if isinstance(code, str) else None
    found = _looked_up(key)
    _KEPT.put(key, found)
    return found


_KEPT = Kept("countries", "pycountry")


def _a_code(answer: Json) -> bool:
    return answer is None or (isinstance(answer, str) and len(answer) == 2 and answer.isupper())


def _looked_up(key: str) -> str | None:
    import pycountry

    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        pass
    return _translated_names().get(key)


@cache
def _translated_names() -> dict[str, str]:
    """Country names in Chinese (simplified and traditional), German, Spanish, French and
    Italian, as pycountry's catalogues have them."""
    import gettext

    import pycountry

    names: dict[str, str] = {}
    for language in ("zh_CN", "zh_TW", "de", "es", "fr", "it"):
        try:
            catalogue = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                if english:
                    local = catalogue.gettext(english).casefold()
                    names.setdefault(local, str(country.alpha_2))
    return names


_CHINESE_LANGUAGES = frozenset(
    {"zh", "zh-cn", "zh_cn", "zh-tw", "zh_tw", "zh-hk", "chinese", "mandarin", "cantonese"}
)


def mail_language(*, language: str, country: str | None) -> str:
    """``zh`` for a contact whose language is Chinese (or, none given, whose
    country is CN, TW or HK); ``en`` for everyone else."""
    lang = language.strip().casefold()
    if lang:
        if lang in _CHINESE_LANGUAGES or any(ch in lang for ch in "中汉漢华華普粤粵"):
            return "zh"
        return "en"
    return "zh" if country in CHINESE_COUNTRIES else "en"
