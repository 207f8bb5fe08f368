class InsufficientFunds(Exception):
    def __init__(self, needed):
        super().__init__(f"short by {needed}")
        self.needed = needed


def withdraw(balance, amount):
    if amount > balance:
        raise InsufficientFunds(amount - balance)
    return balance - amount


balance = 100
for amount in [30, 90, 20]:
    try:
        balance = withdraw(balance, amount)
        print("withdrew", amount, "left", balance)
    except InsufficientFunds as err:
        print("refused:", err, err.needed)
