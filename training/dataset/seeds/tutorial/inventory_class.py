class Inventory:
    def __init__(self):
        self.stock = {}

    def add(self, item, qty):
        self.stock[item] = self.stock.get(item, 0) + qty

    def remove(self, item, qty):
        have = self.stock.get(item, 0)
        taken = min(have, qty)
        self.stock[item] = have - taken
        return taken

    def report(self):
        return sorted((k, v) for k, v in self.stock.items() if v > 0)


inv = Inventory()
inv.add("pens", 10)
inv.add("pads", 4)
print(inv.remove("pens", 3), inv.remove("pads", 9))
print(inv.report())
