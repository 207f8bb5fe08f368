document = """name,score
ada,91
# comment line
linus,78

grace,88"""


def data_rows(text):
    for line in text.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, score = line.split(",")
        yield name, int(score)


for name, score in data_rows(document):
    print(name, score)
