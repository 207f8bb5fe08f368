class Library:
    def __init__(self, titles):
        self.available = list(titles)
        self.loans = {}

    def lend(self, title, person):
        if title not in self.available:
            return False
        self.available.remove(title)
        self.loans[title] = person
        return True

    def give_back(self, title):
        person = self.loans.pop(title)
        self.available.append(title)
        return person


lib = Library(["Odyssey", "Hamlet", "Walden"])
print(lib.lend("Hamlet", "Ada"), lib.lend("Hamlet", "Bo"))
print(lib.available, lib.loans)
print(lib.give_back("Hamlet"), lib.available)
