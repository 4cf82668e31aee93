// A pass-through VFS whose only job is to run one armed action at the fsync that follows a
// commit's WAL write: the first instant at which a kill -9 of this process can no longer undo the
// commit (its frames are in the kernel's page cache) and, with `synchronous = FULL`, the last one
// before SQLite waits for the disk. See docs/mail.md, "Sending exactly once".
#include "WALRelease.h"
#include "sqlite_nio_sqlite3.h"
#include <pthread.h>
#include <stddef.h>
#include <string.h>

// The WAL file starts with a 32-byte header; frames follow it. A write at or past this offset
// is a frame.
enum { WAL_HEADER_SIZE = 32 };

typedef struct {
    sqlite3_file base;
    int isWAL;
    sqlite3_file *real;  // the wrapped VFS's file, allocated right after this struct
} ReleaseFile;

typedef struct {
    void (*fire)(void *);
    void (*drop)(void *);
    void *context;
    int framesWritten;  // a WAL frame was written on this thread since arming
} Armed;

static _Thread_local Armed armed;
static sqlite3_vfs *wrapped;
static sqlite3_vfs releaseVFS;
static sqlite3_io_methods releaseMethods;
static pthread_once_t registerOnce = PTHREAD_ONCE_INIT;
static int registerResult = SQLITE_ERROR;

void advocate_wal_release_arm(void (*fire)(void *), void (*drop)(void *), void *context) {
    Armed previous = armed;
    armed = (Armed){ fire, drop, context, 0 };
    if (previous.fire && previous.drop) previous.drop(previous.context);
}

static sqlite3_file *real(sqlite3_file *f) { return ((ReleaseFile *)f)->real; }

static int releaseClose(sqlite3_file *f) {
    sqlite3_file *r = real(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
    r->pMethods = NULL;
    return rc;
}
static int releaseRead(sqlite3_file *f, void *buffer, int amount, sqlite3_int64 offset) {
    return real(f)->pMethods->xRead(real(f), buffer, amount, offset);
}
static int releaseWrite(sqlite3_file *f, const void *buffer, int amount, sqlite3_int64 offset) {
    int rc = real(f)->pMethods->xWrite(real(f), buffer, amount, offset);
    if (rc == SQLITE_OK && ((ReleaseFile *)f)->isWAL && offset >= WAL_HEADER_SIZE && armed.fire)
        armed.framesWritten = 1;
    return rc;
}
static int releaseTruncate(sqlite3_file *f, sqlite3_int64 size) {
    return real(f)->pMethods->xTruncate(real(f), size);
}
static int releaseSync(sqlite3_file *f, int flags) {
    // A WAL sync with no frame written since arming (the header sync of a restarted WAL, a
    // checkpoint) is not the commit's: the commit frame is not in the file yet.
    if (((ReleaseFile *)f)->isWAL && armed.fire && armed.framesWritten) {
        Armed now = armed;
        armed = (Armed){ NULL, NULL, NULL, 0 };
        now.fire(now.context);
    }
    return real(f)->pMethods->xSync(real(f), flags);
}
static int releaseFileSize(sqlite3_file *f, sqlite3_int64 *size) {
    return real(f)->pMethods->xFileSize(real(f), size);
}
static int releaseLock(sqlite3_file *f, int level) { return real(f)->pMethods->xLock(real(f), level); }
static int releaseUnlock(sqlite3_file *f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
static int releaseCheckReservedLock(sqlite3_file *f, int *out) {
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
static int releaseFileControl(sqlite3_file *f, int op, void *argument) {
    return real(f)->pMethods->xFileControl(real(f), op, argument);
}
static int releaseSectorSize(sqlite3_file *f) { return real(f)->pMethods->xSectorSize(real(f)); }
static int releaseDeviceCharacteristics(sqlite3_file *f) {
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
static int releaseShmMap(sqlite3_file *f, int page, int pageSize, int extend, void volatile **out) {
    return real(f)->pMethods->xShmMap(real(f), page, pageSize, extend, out);
}
static int releaseShmLock(sqlite3_file *f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
static void releaseShmBarrier(sqlite3_file *f) { real(f)->pMethods->xShmBarrier(real(f)); }
static int releaseShmUnmap(sqlite3_file *f, int deleteFlag) {
    return real(f)->pMethods->xShmUnmap(real(f), deleteFlag);
}
static int releaseFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
static int releaseUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *p) {
    return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

static int releaseOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags) {
    (void)vfs;
    ReleaseFile *file = (ReleaseFile *)f;
    file->real = (sqlite3_file *)(file + 1);
    file->isWAL = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = wrapped->xOpen(wrapped, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return rc;
    }
    // The wrapped file may offer fewer methods (an older version): offer no more than it does.
    if (file->real->pMethods->iVersion < releaseMethods.iVersion) {
        file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    file->base.pMethods = &releaseMethods;
    return SQLITE_OK;
}

static int releaseDelete(sqlite3_vfs *v, const char *name, int syncDir) {
    (void)v; return wrapped->xDelete(wrapped, name, syncDir);
}
static int releaseAccess(sqlite3_vfs *v, const char *name, int flags, int *out) {
    (void)v; return wrapped->xAccess(wrapped, name, flags, out);
}
static int releaseFullPathname(sqlite3_vfs *v, const char *name, int n, char *out) {
    (void)v; return wrapped->xFullPathname(wrapped, name, n, out);
}
static void *releaseDlOpen(sqlite3_vfs *v, const char *name) { (void)v; return wrapped->xDlOpen(wrapped, name); }
static void releaseDlError(sqlite3_vfs *v, int n, char *message) { (void)v; wrapped->xDlError(wrapped, n, message); }
static void (*releaseDlSym(sqlite3_vfs *v, void *handle, const char *symbol))(void) {
    (void)v; return wrapped->xDlSym(wrapped, handle, symbol);
}
static void releaseDlClose(sqlite3_vfs *v, void *handle) { (void)v; wrapped->xDlClose(wrapped, handle); }
static int releaseRandomness(sqlite3_vfs *v, int n, char *out) { (void)v; return wrapped->xRandomness(wrapped, n, out); }
static int releaseSleep(sqlite3_vfs *v, int microseconds) { (void)v; return wrapped->xSleep(wrapped, microseconds); }
static int releaseCurrentTime(sqlite3_vfs *v, double *out) { (void)v; return wrapped->xCurrentTime(wrapped, out); }
static int releaseGetLastError(sqlite3_vfs *v, int n, char *out) {
    (void)v; return wrapped->xGetLastError ? wrapped->xGetLastError(wrapped, n, out) : 0;
}
static int releaseCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) {
    (void)v; return wrapped->xCurrentTimeInt64(wrapped, out);
}

static void registerVFS(void) {
    wrapped = sqlite_nio_sqlite3_vfs_find(NULL);
    if (!wrapped || wrapped->iVersion < 2) { registerResult = SQLITE_ERROR; return; }
    releaseMethods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = releaseClose, .xRead = releaseRead, .xWrite = releaseWrite,
        .xTruncate = releaseTruncate, .xSync = releaseSync, .xFileSize = releaseFileSize,
        .xLock = releaseLock, .xUnlock = releaseUnlock, .xCheckReservedLock = releaseCheckReservedLock,
        .xFileControl = releaseFileControl, .xSectorSize = releaseSectorSize,
        .xDeviceCharacteristics = releaseDeviceCharacteristics,
        .xShmMap = releaseShmMap, .xShmLock = releaseShmLock, .xShmBarrier = releaseShmBarrier,
        .xShmUnmap = releaseShmUnmap, .xFetch = releaseFetch, .xUnfetch = releaseUnfetch,
    };
    releaseVFS = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(ReleaseFile) + wrapped->szOsFile,
        .mxPathname = wrapped->mxPathname,
        .zName = ADVOCATE_WAL_RELEASE_VFS,
        .xOpen = releaseOpen, .xDelete = releaseDelete, .xAccess = releaseAccess,
        .xFullPathname = releaseFullPathname, .xDlOpen = releaseDlOpen, .xDlError = releaseDlError,
        .xDlSym = releaseDlSym, .xDlClose = releaseDlClose, .xRandomness = releaseRandomness,
        .xSleep = releaseSleep, .xCurrentTime = releaseCurrentTime, .xGetLastError = releaseGetLastError,
        .xCurrentTimeInt64 = releaseCurrentTimeInt64,
    };
    registerResult = sqlite_nio_sqlite3_vfs_register(&releaseVFS, 0);
}

int advocate_wal_release_register(void) {
    pthread_once(&registerOnce, registerVFS);
    return registerResult;
}
