class Song:
    def __init__(self, title, seconds):
        self.title = title
        self.seconds = seconds


class Playlist:
    def __init__(self, name):
        self.name = name
        self.songs = []

    def add(self, song):
        self.songs.append(song)
        return self

    def duration(self):
        total = sum(s.seconds for s in self.songs)
        return f"{total // 60}:{total % 60:02d}"


mix = Playlist("road trip")
mix.add(Song("Intro", 95)).add(Song("Drive", 241)).add(Song("Outro", 130))
print(mix.name, len(mix.songs), mix.duration())
print([s.title for s in mix.songs if s.seconds > 100])
