package io.github.checktcpraw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An AOT cache is only used with the JVM options it was trained with: the build's training run
 * (pom.xml, execution aot-cache) must pass the options plugin-wrapper starts the plugin with, but for
 * where log output goes.
 */
class AotTrainingOptionsTest {

    @Test
    void theBuildTrainsTheCacheWithTheWrappersJvmOptions() throws IOException {
        Matcher wrapper = Pattern.compile("(?ms)^JVM_OPTS=\\((.*?)\\)")
                .matcher(Files.readString(Path.of("plugin-wrapper/check_tcp_raw")));
        wrapper.find();
        List<String> wrapperOptions = withoutLogging(Arrays.asList(wrapper.group(1).trim().split("\\s+")));

        String pom = Files.readString(Path.of("pom.xml"));
        String execution = pom.substring(pom.indexOf("<id>aot-cache</id>"), pom.indexOf("</arguments>",
                pom.indexOf("<id>aot-cache</id>")));
        List<String> trainingOptions = new ArrayList<>();
        Matcher argument = Pattern.compile("<argument>([^<]*)</argument>").matcher(execution);
        while (argument.find() && argument.group(1).startsWith("-") && !argument.group(1).equals("-cp")) {
            if (!argument.group(1).startsWith("-XX:AOTCacheOutput")) {
                trainingOptions.add(argument.group(1));
            }
        }

        assertEquals(wrapperOptions, withoutLogging(trainingOptions));
    }

    private static List<String> withoutLogging(List<String> options) {
        return options.stream()
                .filter(o -> !o.startsWith("-Xlog") && !o.equals("-XX:+DisplayVMOutputToStderr"))
                .toList(); // in order: an unlock option must precede what it unlocks
    }
}
