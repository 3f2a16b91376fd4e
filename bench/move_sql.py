"""CPU time of a card move's statements on SQLite, with and without the group commit's savepoint.

Runs the statements of a move (read the deal, update it, close its stay and open the next in the
stage history, an audit entry) in one transaction per move, as the writer thread does, in six
alternating blocks with and without `SAVEPOINT job` after `BEGIN IMMEDIATE`, and prints the
process's CPU time per move for each. It changes the database: run it on a copy of one seeded by
`peyvand demo --opportunities N` (docs/benchmarks.md, "Sales pipeline").

    python3 bench/move_sql.py COPY.db [MOVES_PER_BLOCK]
"""
import datetime
import sqlite3
import sys
import time
import uuid
db = sys.argv[1]
c = sqlite3.connect(db, isolation_level=None)
for p in ["journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536", "wal_autocheckpoint=0"]:
    c.execute("PRAGMA " + p)
stage = c.execute("select stage_id from opportunities group by stage_id order by count(*) limit 1 offset 1").fetchone()[0]
ids = [r[0] for r in c.execute("select id from opportunities where status='open'")]
print(len(ids), "open deals", file=sys.stderr)
def move(oid, savepoint):
    now = datetime.datetime.utcnow().isoformat() + "Z"
    c.execute("BEGIN IMMEDIATE")
    if savepoint:
        c.execute("SAVEPOINT job")
    row = c.execute("select * from opportunities where id=?", (oid,)).fetchone()
    c.execute("update opportunities set stage_id=?, stage_entered_at=?, updated_at=?, version=version+1 where id=?", (stage, now, now, oid))
    c.execute("update opportunity_stage_history set left_at=?, seconds_in_stage=1 where opportunity_id=? and left_at is null", (now, oid))
    c.execute("insert into opportunity_stage_history (id, opportunity_id, pipeline_id, stage_id, owner_id, branch_id, amount, entered_at) values (?,?,?,?,?,?,?,?)",
              (uuid.uuid4().bytes, oid, row[10], stage, row[21], row[22], row[8], now))
    c.execute("insert into audit_log (id, record_kind, record_id, action, actor_id, at, changes) values (?,?,?,?,?,?,?)",
              (uuid.uuid4().bytes, "opportunity", oid, "update", None, now, '{"stage_id":["a","b"]}'))
    c.execute("COMMIT")
block = int(sys.argv[2]) if len(sys.argv) > 2 else 500
cpu = {True: 0.0, False: 0.0}; n = {True: 0, False: 0}
k = 0
for rnd in range(6):
    for sp in (True, False) if rnd % 2 == 0 else (False, True):
        t = time.process_time()
        for _ in range(block):
            move(ids[k], sp); k += 1
        cpu[sp] += time.process_time() - t; n[sp] += block
for sp in (True, False):
    print(f"savepoint={sp}: {cpu[sp]/n[sp]*1e6:.0f} us CPU per move over {n[sp]} moves")
