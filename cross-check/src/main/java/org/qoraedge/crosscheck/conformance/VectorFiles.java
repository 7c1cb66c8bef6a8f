package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads vector files: every {@code *.jsonl} of a directory, or the set bundled in this jar. */
public final class VectorFiles {
    /** Where the public vectors live on the classpath; {@code INDEX} lists the file names. */
    public static final String BUNDLED = "/org/qoraedge/crosscheck/vectors/";

    private VectorFiles() {
    }

    /** Every case of every {@code *.jsonl} file directly in {@code dir}, files in name order. */
    public static List<VectorCase> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("vector directory " + dir + " does not exist or is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("vector directory " + dir + " holds no *.jsonl file");
        }
        List<VectorCase> cases = new ArrayList<>();
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                parse(r, f.getFileName().toString(), cases);
            }
        }
        return cases;
    }

    /** The public vectors bundled in this jar. */
    public static List<VectorCase> loadBundled() {
        List<VectorCase> cases = new ArrayList<>();
        try {
            for (String name : readResource("INDEX").split("\n")) {
                if (name.isBlank()) {
                    continue;
                }
                try (InputStream in = open(name.strip());
                     Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    parse(r, name.strip(), cases);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled vectors", e);
        }
        return cases;
    }

    private static String readResource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = VectorFiles.class.getResourceAsStream(BUNDLED + name);
        if (in == null) {
            throw new IOException("bundled vector resource " + BUNDLED + name + " is missing from the jar");
        }
        return in;
    }

    /** The next line; the reader decodes ahead of the lines it returns, so a decoding error names the file only. */
    private static String readLine(BufferedReader br, String fileName) throws IOException {
        try {
            return br.readLine();
        } catch (CharacterCodingException e) {
            throw new IOException(fileName + ": not valid UTF-8 (" + e + ")", e);
        }
    }

    /** Parses JSON Lines; a line that is not a case is an error naming file and line, a file that is not UTF-8 one naming the file. */
    static void parse(Reader reader, String fileName, List<VectorCase> out) throws IOException {
        BufferedReader br = new BufferedReader(reader);
        String line;
        int lineNo = 0;
        while ((line = readLine(br, fileName)) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String where = fileName + ":" + lineNo;
            JsonObject o;
            try {
                JsonElement el = JsonParser.parseString(line);
                if (!el.isJsonObject()) {
                    throw new IOException(where + ": a line must be one JSON object");
                }
                o = el.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IOException(where + ": not valid JSON: " + e.getMessage(), e);
            }
            for (String key : new String[] {"kind", "id", "input", "expected"}) {
                if (!o.has(key)) {
                    throw new IOException(where + ": case has no \"" + key + "\"");
                }
            }
            if (!o.get("input").isJsonObject() || !o.get("expected").isJsonObject()) {
                throw new IOException(where + ": \"input\" and \"expected\" must be objects");
            }
            if (!isString(o.get("kind")) || !isString(o.get("id"))) {
                throw new IOException(where + ": \"kind\" and \"id\" must be strings");
            }
            out.add(new VectorCase(o.get("kind").getAsString(), o.get("id").getAsString(),
                    o.getAsJsonObject("input"), o.getAsJsonObject("expected"), where));
        }
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }
}
