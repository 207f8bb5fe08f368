books = [
    ("Dune", 1965, 412),
    ("Emma", 1815, 474),
    ("Ulysses", 1922, 730),
    ("Beloved", 1987, 324),
]
by_year = sorted(books, key=lambda b: b[1])
by_pages = sorted(books, key=lambda b: -b[2])
print([b[0] for b in by_year])
print([b[0] for b in by_pages])
print(min(books, key=lambda b: len(b[0])))
