def convert(text):
    try:
        value = int(text)
    except ValueError:
        print(repr(text), "is not a number")
    else:
        print(repr(text), "squared is", value * value)
    finally:
        print("done with", repr(text))


convert("12")
convert("twelve")
