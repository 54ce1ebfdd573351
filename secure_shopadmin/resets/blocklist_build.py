"""Builds ``data/breached-passwords.txt.gz``, the app's own additions to Django's common-password list.

Django's list (20,000 passwords from breach corpora) is used as is; this adds what breaches of
shops, and of Japanese shops in particular, are known to be full of: keyboard walks (including
Japanese keyboard habits), romanised Japanese names and words, shop and brand words, and the
ways people decorate them (years, ``123``, ``!``, capitalisation is ignored by the check).

Rebuild with ``python -m secure_shopadmin.resets.blocklist_build`` (deterministic output).
"""

import gzip
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"

KEYBOARD = """
qwerty qwertyui qwertyuiop asdfgh asdfghjk asdfghjkl zxcvbn zxcvbnm 1qaz2wsx 1qaz2wsx3edc qazwsx qazwsxedc
1q2w3e 1q2w3e4r 1q2w3e4r5t zaq12wsx !qaz2wsx qweasd qweasdzxc asdqwe 147258 147258369 159357 159753
123qwe 123asd 123abc abc123 a1b2c3 aa1234 aaaaaa 111111 000000 123123 121212 112233 7777777 11111111
12345678 123456789 1234567890 0123456789 987654321 9876543210 abcdef abcdefg abcdefgh 1234abcd abcd1234
""".split()

JAPANESE = """
sakura hanako taro tarou yamada tanaka suzuki satou sato takahashi watanabe itou ito nakamura kobayashi kato
yoshida yamamoto sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto
doraemon pokemon pikachu naruto sasuke goku gundam totoro ghibli arashi kitty hellokitty anpanman onepiece
luffy zoro conan tokyo osaka kyoto nagoya yokohama sapporo fukuoka kobe sendai hiroshima okinawa nihon nippon
japan samurai ninja sushi ramen tempura sakana neko inu usagi kuma momo ichigo ringo mikan suika hikari
daisuki aishiteru arigato arigatou konnichiwa sayonara ganbare genki himitsu kawaii oyasumi ohayou
yuki yuka yuko yumi yuri aiko akiko emi emiko haruka hina kaori keiko mai mami megumi miki misaki naomi
natsuki reina rie saki sayaka tomoko yoko ayumi asuka kenji kenta takashi hiroshi satoshi daisuke kazuki
shota ryota yuta yusuke takuya naoki makoto hiro ken jun kei ryo sho sora hikaru haruto riku ren
"""
SHOP = """
password passw0rd p@ssw0rd p@ssword pass pass1234 password1 password123 admin admin123 admin1234 administrator
root toor shop shop123 shop1234 myshop onlineshop webshop store store123 mystore shopping shopping1
order member members member1 customer guest guest123 user user123 user1234 test test123 test1234 demo
demo123 sample welcome welcome1 login letmein changeme default secret qwerty123 manager staff office
eccube ec-cube makeshop futureshop colorme shopify magento prestashop wordpress rakuten amazon yahoo
docomo softbank ntt line linepay paypay mercari uniqlo muji nintendo sony panasonic toyota honda
mypassword mypass newpassword iloveyou monkey dragon master sunshine princess football baseball soccer
"""
SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "@", "#", "01", "07", "11",
            "00", "88", "99", "2000", "2010", "2015", "2018", "2019", "2020", "2021", "2022", "2023", "2024",
            "2025", "2026", "0101", "1010", "1111", "0000"]
PREFIXES = ["", "1", "123", "my", "i"]


def candidates():
    words = set(KEYBOARD)
    stems = set(JAPANESE.split()) | set(SHOP.split())
    for stem in stems:
        for prefix in PREFIXES:
            for suffix in SUFFIXES:
                words.add(f"{prefix}{stem}{suffix}")
    for year in range(1950, 2031):  # dates and years people use
        words.add(str(year))
        for stem in ("sakura", "password", "shop", "admin", "love", "yuki", "hana"):
            words.add(f"{stem}{year}")
    for month in range(1, 13):
        for day in range(1, 32):
            words.add(f"{month:02d}{day:02d}")
            for year in (1970, 1980, 1985, 1990, 1995, 2000):
                words.add(f"{year}{month:02d}{day:02d}")
    return sorted(w.lower() for w in words if len(w) >= 4)


def main():
    data = "\n".join(candidates()) + "\n"
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as out:
        out.write(data.encode())
    print(f"{OUTPUT}: {data.count(chr(10))} passwords")


if __name__ == "__main__":
    main()
