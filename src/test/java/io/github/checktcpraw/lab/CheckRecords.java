package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Check results as a monitoring system's perfdata writer writes them for the lab tests: one record
 * {@code @@<host!service TAB state TAB state id TAB output TAB perfdata>@@} per result. The delimiters
 * keep a record whole when the output spans lines, and let a reader of a file still being written take
 * only the records that are complete.
 */
final class CheckRecords {

    /** Icinga 2's {@code service_format_template} for such records (a PerfdataWriter attribute value). */
    static final String ICINGA_TEMPLATE =
            "@@<$host.name$!$service.name$\\t$service.state$\\t$service.state_id$\\t$service.output$\\t$service.perfdata$>@@";
    /** Nagios 4's {@code service_perfdata_file_template} for them (Nagios expands {@code \t}). */
    static final String NAGIOS_TEMPLATE =
            "@@<$HOSTNAME$!$SERVICEDESC$\\t$SERVICESTATE$\\t$SERVICESTATEID$\\t$SERVICEOUTPUT$\\t$SERVICEPERFDATA$>@@";

    private static final Pattern RECORD = Pattern.compile("@@<(.*?)>@@", Pattern.DOTALL);

    /** One check result. */
    record CheckResult(String service, String state, int stateId, String output, String perfdata) {
    }

    private CheckRecords() {
    }

    /** Adds every complete record in {@code text} to {@code into}, per host!service, in order. */
    static void parse(String text, String source, Map<String, List<CheckResult>> into) {
        Matcher record = RECORD.matcher(text);
        while (record.find()) {
            String[] f = record.group(1).split("\t", 5);
            if (f.length != 5 || !f[2].matches("\\d+")) {
                fail("unexpected record in " + source + ": " + record.group());
            }
            into.computeIfAbsent(f[0], k -> new ArrayList<>())
                    .add(new CheckResult(f[0], f[1], Integer.parseInt(f[2]), f[3].strip(), f[4].strip()));
        }
    }

    /** The records of one text, per host!service. */
    static Map<String, List<CheckResult>> parse(String text, String source) {
        Map<String, List<CheckResult>> results = new LinkedHashMap<>();
        parse(text, source, results);
        return results;
    }

    /**
     * Every result has the state, and the plugin's own status line and perfdata ({@code pluginLine}, from
     * running it directly) up to the numbers that vary per run.
     */
    static void assertLikePlugin(List<CheckResult> results, String state, int stateId, String pluginLine) {
        String[] direct = pluginLine.strip().split(" \\| ", 2);
        for (CheckResult r : results) {
            assertEquals(state, r.state(), r.toString());
            assertEquals(stateId, r.stateId(), r.toString());
            assertTrue(r.output().startsWith("TCP_RAW " + state + " - "), r.toString());
            assertEquals(Lab.numbersMasked(direct[0]), Lab.numbersMasked(r.output()), "the output vs the plugin's own: " + r);
            assertEquals(direct.length > 1 ? Lab.numbersMasked(direct[1]) : "", Lab.numbersMasked(r.perfdata()), "perfdata: " + r);
        }
    }
}
