package org.qoraedge.devicesim.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file is missing, unreadable or malformed. The message names the file and what is
 * wrong with it ("...train-labels-idx1-ubyte.gz: magic number 0x00000803, expected 0x00000801
 * (IDX unsigned-byte vector)").
 */
public class DatasetLoadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public DatasetLoadException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DatasetLoadException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
