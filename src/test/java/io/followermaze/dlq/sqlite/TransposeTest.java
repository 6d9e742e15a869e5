package io.followermaze.dlq.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransposeTest {

  private record Run(int user, int reason, List<Integer> offsets) {}

  /** Drains into runs, decoding each through Pointers (the format the store reads back). */
  private static List<Run> drain(Transpose transpose) throws Exception {
    List<Run> runs = new ArrayList<>();
    transpose.drain(
        (user, reason, first, last, count, data, from, length) -> {
          long[] offsets =
              Pointers.decode(Arrays.copyOfRange(data, from, from + length), first, last, count);
          assertThat(offsets).as("the run's ends").startsWith(first).endsWith(last);
          runs.add(
              new Run(
                  user, reason, Arrays.stream(offsets).mapToInt(o -> (int) o).boxed().toList()));
        });
    return runs;
  }

  @ParameterizedTest
  @ValueSource(ints = {1_000, 1 << 23, Integer.MAX_VALUE - 1, Integer.MAX_VALUE})
  void groupsLettersPerRecipientAndReasonInEventOrderWhateverTheIds(int maxUser) throws Exception {
    Random random = new Random(maxUser);
    Transpose transpose = new Transpose();
    int[] users = {-1, 0, 7, maxUser / 2, maxUser};
    Map<Long, List<Integer>> byKey = new LinkedHashMap<>();
    for (int offset = 0; offset < 5_000; offset += 1 + random.nextInt(300)) {
      int user = users[random.nextInt(users.length)];
      int reason = random.nextInt(4) == 0 ? 12 : 11;
      transpose.add(user, reason, offset);
      byKey.computeIfAbsent((long) user << 8 | reason, k -> new ArrayList<>()).add(offset);
    }
    List<Run> expected = new ArrayList<>();
    byKey.forEach(
        (key, offsets) -> expected.add(new Run((int) (key >> 8), (int) (key & 0xff), offsets)));

    List<Run> runs = drain(transpose);

    assertThat(runs).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(runs)
        .extracting(run -> run.offsets().getFirst())
        .as("runs in the order of their first letter")
        .isSorted();
    assertThat(drain(transpose)).as("drained").isEmpty();
  }

  @Test
  void manyUsersInterleavedKeepTheirOwnOffsetsAcrossPasses() throws Exception {
    Transpose transpose = new Transpose();
    for (int pass = 0; pass < 2; pass++) {
      for (int offset = 0; offset < 3_000; offset++) {
        for (int user = offset % 3; user < 2_000; user += 3) {
          transpose.add(user, 11, offset);
        }
      }
      List<Run> runs = drain(transpose);

      assertThat(runs).hasSize(2_000);
      for (Run run : runs) {
        assertThat(run.offsets()).hasSize(1_000).first().isEqualTo(run.user() % 3);
        assertThat(run.offsets()).allSatisfy(o -> assertThat(o % 3).isEqualTo(run.user() % 3));
      }
    }
  }

  @Test
  void aRunIsSealedAtTheRowLimitAndTheRestStartsANewOne() throws Exception {
    Transpose transpose = new Transpose();
    int letters = Pointers.MAX_PER_ROW * 2 + 5;
    for (int offset = 0; offset < letters; offset++) {
      transpose.add(42, 11, offset * 200);
      transpose.add(1_000 + offset, 11, offset * 200 + 1);
    }

    List<Run> ofUser42 = drain(transpose).stream().filter(run -> run.user() == 42).toList();

    assertThat(ofUser42)
        .extracting(run -> run.offsets().size())
        .containsExactly(Pointers.MAX_PER_ROW, Pointers.MAX_PER_ROW, 5);
    assertThat(ofUser42.get(1).offsets().getFirst()).isEqualTo(Pointers.MAX_PER_ROW * 200);
  }
}
