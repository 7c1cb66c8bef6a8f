package org.qoraedge.gateway.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a test that provokes an ERROR log on purpose; {@link QuietStderrExtension} lets its stderr pass. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AllowsStderr {
    /** Why the test writes to stderr. */
    String value();
}
