# ok: data_remote_storage_configured
import psycopg2

conn = psycopg2.connect(host=HOST, dbname="app", user=USER, password=PASSWORD)
conn.cursor().execute("INSERT INTO predictions (id, score) VALUES (%s, %s)", (1, 0.9))
conn.commit()
