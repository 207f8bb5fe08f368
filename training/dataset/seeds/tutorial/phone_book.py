book = {}
entries = [("Zoe", "555-0101"), ("Adam", "555-0199"), ("Mia", "555-0142"), ("Adam", "555-0200")]
for name, number in entries:
    if name in book:
        print("updating", name)
    book[name] = number
for name in sorted(book):
    print(name, book[name])
print(book.get("Liam", "unknown"))
