"""Where people and servers are: cities with coordinates, and stable addresses.

Addresses of the tenant's own and its partners' infrastructure (offices, home connections, mail
servers) are IPv6 in the documentation prefix ``2001:db8::/32`` and derived from a name, so
that they never collide with the IPv4 documentation addresses attackers use in alerts.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Place:
    """A city as an identity provider geolocates a sign-in."""

    country: str
    city: str
    latitude: float
    longitude: float

    def as_graph(self) -> dict[str, object]:
        """The Graph ``signInLocation``."""
        return {
            "city": self.city,
            "countryOrRegion": self.country,
            "geoCoordinates": {"latitude": self.latitude, "longitude": self.longitude},
        }


_CITIES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "US": (("New York", 40.71, -74.01), ("Chicago", 41.88, -87.63), ("Seattle", 47.61, -122.33)),
    "GB": (("London", 51.51, -0.13), ("Manchester", 53.48, -2.24)),
    "DE": (("Berlin", 52.52, 13.40), ("Munich", 48.14, 11.58), ("Hamburg", 53.55, 9.99)),
    "FR": (("Paris", 48.86, 2.35), ("Lyon", 45.76, 4.84)),
    "ES": (("Madrid", 40.42, -3.70), ("Barcelona", 41.39, 2.17)),
    "IT": (("Milan", 45.46, 9.19), ("Rome", 41.90, 12.50)),
    "NL": (("Amsterdam", 52.37, 4.90), ("Rotterdam", 51.92, 4.48)),
    "PL": (("Warsaw", 52.23, 21.01), ("Krakow", 50.06, 19.94)),
    "IN": (("Bengaluru", 12.97, 77.59), ("Pune", 18.52, 73.86)),
    "JP": (("Tokyo", 35.68, 139.69), ("Osaka", 34.69, 135.50)),
    "BR": (("Sao Paulo", -23.55, -46.63), ("Rio de Janeiro", -22.91, -43.17)),
    "SE": (("Stockholm", 59.33, 18.07), ("Gothenburg", 57.71, 11.97)),
    "NG": (("Lagos", 6.52, 3.38), ("Abuja", 9.08, 7.40)),
    "RU": (("Moscow", 55.76, 37.62), ("Saint Petersburg", 59.93, 30.34)),
    "KP": (("Pyongyang", 39.04, 125.76),),
    "IR": (("Tehran", 35.69, 51.39),),
    "VN": (("Hanoi", 21.03, 105.85), ("Ho Chi Minh City", 10.82, 106.63)),
    "RO": (("Bucharest", 44.43, 26.10),),
    "BG": (("Sofia", 42.70, 23.32),),
    "UA": (("Kyiv", 50.45, 30.52),),
    "CN": (("Shanghai", 31.23, 121.47), ("Beijing", 39.90, 116.41)),
}
# Hours to add to UTC for local office time (standard time is close enough for a demo).
UTC_OFFSETS = {
    "US": -5, "GB": 0, "DE": 1, "FR": 1, "ES": 1, "IT": 1, "NL": 1, "PL": 1, "IN": 5, "JP": 9,
    "BR": -3, "SE": 1, "NG": 1,
}  # fmt: skip
_FALLBACK = ("Unknown", 0.0, 0.0)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()


@lru_cache(maxsize=4096)
def city(country: str, key: str = "") -> Place:
    """A city of ``country``, always the same one for the same ``key``."""
    choices = _CITIES.get(country, (_FALLBACK,))
    name, latitude, longitude = choices[_digest(country, key)[0] % len(choices)]
    return Place(country, name, latitude, longitude)


def _v6(network: int, *parts: str) -> str:
    digest = _digest(*parts)
    host = int.from_bytes(digest[:8], "big") | 1
    value = (0x20010DB8 << 96) | (network << 80) | (int.from_bytes(digest[8:10], "big") << 64)
    return str(ipaddress.IPv6Address(value | host))


@lru_cache(maxsize=4096)
def home_ip(upn: str) -> str:
    """The address of a user's home connection."""
    return _v6(0x10, "home", upn)


@lru_cache(maxsize=4096)
def office_ip(country: str) -> str:
    """The egress address of the office in ``country``."""
    return _v6(0x20, "office", country)


@lru_cache(maxsize=4096)
def mail_server_ip(domain: str) -> str:
    """The address a legitimate external domain sends mail from."""
    return _v6(0x30, "mail", domain)


def utc_offset(country: str) -> int:
    """Hours from UTC to office time in ``country``."""
    return UTC_OFFSETS.get(country, 0)
