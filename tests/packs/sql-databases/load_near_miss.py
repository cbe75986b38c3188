# ok: data_remote_storage_configured
import psycopg2

conn = psycopg2.connect(host=HOST, dbname="app", user=USER, password=PASSWORD)
with open("seed/customers.csv") as f:
    conn.cursor().copy_expert("COPY customers FROM STDIN WITH CSV HEADER", f)
