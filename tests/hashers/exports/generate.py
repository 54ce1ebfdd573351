"""Writes the synthetic platform exports beside this file (run it again only to change them).

The hashes are computed here with hashlib/hmac/bcrypt and, for Drupal and Shopware, with PHP
(tests/hashers/vectors.php), each platform's formula as it documents it; none comes from
secure_shopadmin. The peppers are those of tests/hashers/conftest.py. The members and their
passwords are listed in PASSWORDS (tests/hashers/test_platform_exports.py reads it).

    .venv/bin/python tests/hashers/exports/generate.py
"""

import csv
import hashlib
import hmac
import io
import json
import subprocess
import sys
from pathlib import Path

import bcrypt

HERE = Path(__file__).resolve().parent
AUTH_MAGIC = b"EC-CUBE auth magic 6Yq9zR2kW8pL"
COOKIE_KEY = b"PrestaShop cookie key Qm4vT7xN1cB5"


def md5(data):
    return hashlib.md5(data.encode() if isinstance(data, str) else data).hexdigest()


def sha1(data):
    return hashlib.sha1(data.encode()).hexdigest()


def sha256(data):
    return hashlib.sha256(data.encode()).hexdigest()


def php_bcrypt(password):
    return "$2y$" + bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()[4:]


def php(cases):
    done = subprocess.run(["php", str(HERE.parent / "vectors.php")], input=json.dumps(cases), capture_output=True,
                          text=True, check=True)
    return [vector["stored"] for vector in json.loads(done.stdout)]


def eccube_hmac(password, salt):
    return hmac.new(salt.encode(), password.encode() + b":" + AUTH_MAGIC, hashlib.sha256).hexdigest()


def write(name, header, rows, encoding="utf-8"):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n" if encoding == "cp932" else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes(out.getvalue().encode(encoding))


def main():
    write("eccube2.csv", ["customer_id", "name01", "name02", "kana01", "kana02", "email", "password", "salt",
                          "del_flg", "status"], [
        [1, "山田", "花子", "ヤマダ", "ハナコ", "hanako@example.jp", eccube_hmac("花子のパスワード", "r8Kd0aQ2zX"),
         "r8Kd0aQ2zX", 0, 2],
        [2, "髙橋", "太郎", "タカハシ", "タロウ", "taro@example.jp", sha1("taro-pw-2009:" + AUTH_MAGIC.decode()), "",
         0, 2],
        [3, "鈴木", "一郎", "スズキ", "イチロウ", "ichiro@example.jp", eccube_hmac("gone", "Zq1"), "Zq1", 1, 2],
    ], encoding="cp932")
    write("eccube4.csv", ["id", "customer_status_id", "name01", "name02", "email", "password", "salt",
                          "create_date"], [
        [10, 2, "中村", "美咲", "misaki@example.jp", eccube_hmac("Misaki 4.2!", "a9f3c1d7e5"), "a9f3c1d7e5",
         "2023-04-01 10:00:00"],
        [11, 1, "小林", "健", "ken@example.jp", eccube_hmac("ken pw", "0b7e2c9a4f"), "0b7e2c9a4f",
         "2023-05-01 10:00:00"],
        [12, 3, "加藤", "退会", "withdrawn@example.jp", eccube_hmac("x", "s"), "s", "2023-06-01 10:00:00"],
    ])
    write("woocommerce.csv", ["ID", "user_login", "user_pass", "user_nicename", "user_email", "user_url",
                              "user_registered", "user_activation_key", "user_status", "display_name"], [
        [1, "shopadmin", "$wp$2y$10$Q1xinFjrZeLWJBvxviIL6u834Fu.evIEFHAUVisQ5O.w9Dm0sMdES", "shopadmin",
         "admin@woo.example", "", "2025-01-01 00:00:00", "", 0, "Shop Admin"],
        [2, "olivia", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "olivia", "olivia@woo.example", "",
         "2019-01-01 00:00:00", "", 0, "Olivia"],
        [3, "noah", md5("noah's old pw"), "noah", "noah@woo.example", "", "2009-01-01 00:00:00", "", 0, "Noah"],
        [4, "emma", php_bcrypt("emma bcrypt"), "emma", "emma@woo.example", "", "2024-01-01 00:00:00", "", 0, "Emma"],
    ])
    salt = "PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus"
    write("magento2.csv", ["entity_id", "website_id", "email", "group_id", "firstname", "lastname",
                           "password_hash", "is_active"], [
        [1, 1, "roni_cost@example.com", 1, "Veronica", "Costello",
         f"abf1de8d537a1270237b9b56c8db9c67aeece6d89639a64d5ffd7264262541ab:{salt}:3_32_2_67108864", 1],
        [2, 1, "liam@m2.example", 1, "Liam", "Smith", f"{sha256('sXq' + 'liam sha256')}:sXq:1", 1],
        [3, 1, "ava@m1.example", 1, "Ava", "Jones", f"{md5('Qz' + 'ava from magento 1')}:Qz", 1],
    ])
    write("prestashop.csv", ["id_customer", "id_shop", "firstname", "lastname", "email", "passwd", "active",
                             "is_guest", "deleted"], [
        [1, 1, "John", "DOE", "pub@prestashop.com", md5(COOKIE_KEY + b"john 1.6 pw"), 1, 0, 0],
        [2, 1, "Marie", "Curie", "marie@ps.example", php_bcrypt("marie 1.7 pw"), 1, 0, 0],
        [3, 1, "Guest", "Buyer", "guest@ps.example", md5(COOKIE_KEY + b"random"), 1, 1, 0],
        [4, 1, "Gone", "Away", "gone@ps.example", md5(COOKIE_KEY + b"gone"), 0, 0, 1],
    ])
    write("opencart.csv", ["customer_id", "customer_group_id", "firstname", "lastname", "email", "telephone",
                           "password", "salt", "status"], [
        [1, 1, "Sven", "Berg", "sven@oc.example", "+46 8 123", sha1("Zk3x9QaP1" + sha1("Zk3x9QaP1" + sha1(
            "sven&amp;co"))), "Zk3x9QaP1", 1],
        [2, 1, "Ines", "Costa", "ines@oc.example", "", md5("ines 1.5"), "", 1],
        [3, 1, "Omar", "Haddad", "omar@oc.example", "", php_bcrypt("omar oc4"), "", 1],
    ])
    drupal = php([{"scheme": "drupal7", "password": "lena d7 pw", "salt": "Ab3./cD9", "count": "D"},
                  {"scheme": "drupal7_upgraded", "password": "piet from d6", "salt": "Qw7.Er5/", "count": "D"}])
    write("drupal7.csv", ["uid", "name", "pass", "mail", "status", "created", "init"], [
        [0, "", "", "", 0, 0, ""],
        [1, "lena", drupal[0], "lena@d7.example", 1, 1300000000, "lena@d7.example"],
        [2, "piet", drupal[1], "piet@d7.example", 1, 1200000000, "piet@d7.example"],
        [3, "jrr", "$P$612345678si5M0DDyPpmRCmcltU/YW/", "jrr@d7.example", 1, 1100000000, ""],
    ])
    sha = php([{"scheme": "shopware5_sha256", "password": "lukas sha256", "salt": "Gh5.kL9mN2pQ4rS6tU8vW0",
                "count": "1000"}])[0]
    backend = php([{"scheme": "shopware5_md5", "password": "mia backend", "salt": "", "count": ""}])[0]
    argon = php([{"scheme": "argon2id", "password": "finn argon2", "salt": "", "count": "2.8192"}])[0]
    write("shopware5.csv", ["id", "password", "encoder", "email", "active", "accountmode", "firstname", "lastname",
                            "customernumber"], [
        [1, php_bcrypt("jonas bcrypt"), "bcrypt", "jonas@sw.example", 1, 0, "Jonas", "Weber", "20001"],
        [2, sha, "Sha256", "lukas@sw.example", 1, 0, "Lukas", "Becker", "20002"],
        [3, md5("lea md5"), "md5", "lea@sw.example", 1, 0, "Lea", "Schulz", "20003"],
        [4, backend, "LegacyBackendMd5", "mia@sw.example", 1, 0, "Mia", "Fischer", "20004"],
        [5, md5("guest"), "md5", "guest@sw.example", 1, 1, "Gast", "Kunde", ""],
        [6, argon, "Argon2id", "finn@sw.example", 1, 0, "Finn", "Wagner", "20006"],
    ])


if __name__ == "__main__":
    sys.exit(main())
