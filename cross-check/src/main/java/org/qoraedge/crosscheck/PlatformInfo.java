package org.qoraedge.crosscheck;

import com.google.gson.JsonObject;

/** What a result was computed on: the line every report carries beside its digests. */
public record PlatformInfo(String osArch, String osName, String vmVendor, String vmVersion, String javaVersion,
        int processors, boolean vectorized) {

    /** The running JVM. {@code vectorized} says whether the Vector API path was used. */
    public static PlatformInfo current(boolean vectorized) {
        return new PlatformInfo(System.getProperty("os.arch"), System.getProperty("os.name"),
                System.getProperty("java.vm.vendor"), System.getProperty("java.vm.version"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), vectorized);
    }

    /** The one-line form printed by every command. */
    public String line() {
        return "platform: os.arch=" + osArch + " java.vm.vendor=" + vmVendor + " java.vm.version=" + vmVersion
                + " processors=" + processors + " vectorized=" + vectorized;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("osArch", osArch);
        o.addProperty("osName", osName);
        o.addProperty("vmVendor", vmVendor);
        o.addProperty("vmVersion", vmVersion);
        o.addProperty("javaVersion", javaVersion);
        o.addProperty("processors", processors);
        o.addProperty("vectorized", vectorized);
        return o;
    }
}
