"""A small inventory with reservations that expire, to try Explain Selection on Python."""
from dataclasses import dataclass, field
import time


@dataclass
class Reservation:
    sku: str
    quantity: int
    expires_at: float


@dataclass
class Inventory:
    stock: dict[str, int] = field(default_factory=dict)
    held: list[Reservation] = field(default_factory=list)

    def available(self, sku: str) -> int:
        self._expire()
        reserved = sum(r.quantity for r in self.held if r.sku == sku)
        return self.stock.get(sku, 0) - reserved

    def reserve(self, sku: str, quantity: int, ttl_seconds: float = 900) -> Reservation:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        if self.available(sku) < quantity:
            raise LookupError(f"only {self.available(sku)} of {sku} left")
        reservation = Reservation(sku, quantity, time.time() + ttl_seconds)
        self.held.append(reservation)
        return reservation

    def _expire(self) -> None:
        now = time.time()
        self.held = [r for r in self.held if r.expires_at > now]
