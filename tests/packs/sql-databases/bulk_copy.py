# expect: data_remote_storage_configured
import psycopg2

conn = psycopg2.connect(host=HOST, dbname="app", user=USER, password=PASSWORD)
with open("data/users.csv", "w") as out:
    conn.cursor().copy_expert("COPY (SELECT id, country FROM users) TO STDOUT WITH CSV", out)
