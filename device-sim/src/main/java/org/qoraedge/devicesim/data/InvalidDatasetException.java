package org.qoraedge.devicesim.data;

import org.qoraedge.devicesim.DeviceSimException;

/**
 * In-memory data is inconsistent (sizes disagree, a label outside the classes, a non-finite
 * feature, an index outside the dataset, an empty shard). Problems with files are
 * {@link DatasetLoadException}s instead.
 */
public class InvalidDatasetException extends DeviceSimException {
    private static final long serialVersionUID = 1L;

    public InvalidDatasetException(String message) {
        super(message);
    }
}
