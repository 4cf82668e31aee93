#ifndef ADVOCATE_WAL_RELEASE_H
#define ADVOCATE_WAL_RELEASE_H

/// The name of the VFS that `advocate_wal_release_register` adds: open a database with
/// `file:PATH?vfs=advocate-wal-release` to have its commits release what is armed.
#define ADVOCATE_WAL_RELEASE_VFS "advocate-wal-release"

/// Registers the VFS (once; later calls return the first result). It wraps the default VFS and
/// changes nothing but the moment below. Returns 0 (SQLITE_OK) or SQLite's error code.
int advocate_wal_release_register(void);

/// Arms `fire(context)` on the calling thread: it runs on that thread at the next fsync of a WAL
/// file that follows a write of WAL frames, i.e. after the committing transaction's frames are
/// in the file (a process killed from then on loses nothing of the commit) and before they are
/// on disk. Call it from SQLite's commit hook, which runs on the committing thread before any
/// frame of the commit is written. Arming again before it fired calls `drop` on the previous
/// context instead.
void advocate_wal_release_arm(void (*fire)(void *context), void (*drop)(void *context), void *context);

#endif
