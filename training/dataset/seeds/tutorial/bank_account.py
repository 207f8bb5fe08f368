class BankAccount:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def deposit(self, amount):
        self.balance += amount
        return self.balance

    def withdraw(self, amount):
        if amount > self.balance:
            print("insufficient funds for", self.owner)
            return self.balance
        self.balance -= amount
        return self.balance


acct = BankAccount("Rita", 50)
acct.deposit(25)
acct.withdraw(100)
acct.withdraw(30)
print(acct.owner, acct.balance)
