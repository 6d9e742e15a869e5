package io.followermaze.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package rules the layout promises, checked on every build. */
@AnalyzeClasses(packages = "io.followermaze", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noCyclesBetweenPackages =
      slices().matching("io.followermaze.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule onlyTheCommandLineImportsTheKafkaIntegration =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.followermaze.kafka..", "io.followermaze.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.followermaze.kafka..");

  @ArchTest
  static final ArchRule onlyTheKafkaIntegrationSpeaksKafka =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.followermaze.kafka..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka..");

  @ArchTest
  static final ArchRule theDeadLetterPortsKnowNoStore =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.dlq")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.dlq.sqlite..", "io.followermaze.kafka..", "java.sql..");

  @ArchTest
  static final ArchRule theRedriverWorksThroughPorts =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.redrive..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.engine..",
              "io.followermaze.server..",
              "io.followermaze.delivery..",
              "io.followermaze.dlq.sqlite..",
              "io.followermaze.kafka..");

  @ArchTest
  static final ArchRule theBenchIsIndependentOfTheServer =
      noClasses()
          .that()
          .resideInAPackage("io.followermaze.bench..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.engine..",
              "io.followermaze.server..",
              "io.followermaze.dlq..",
              "io.followermaze.delivery..",
              "io.followermaze.routing..",
              "io.followermaze.sequencing..",
              "io.followermaze.protocol..",
              "io.followermaze.admin..",
              "io.followermaze.redrive..",
              "io.followermaze.kafka..");

  @ArchTest
  static final ArchRule theEngineCoreKnowsNoNetworkOrStore =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.followermaze.sequencing..",
              "io.followermaze.routing..",
              "io.followermaze.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.followermaze.server..",
              "io.followermaze.dlq.sqlite..",
              "io.followermaze.admin..",
              "io.followermaze.cli..",
              "java.sql..",
              "java.nio.channels..");
}
