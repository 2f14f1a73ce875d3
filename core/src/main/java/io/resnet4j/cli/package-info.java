/** The picocli command line behind bin/resnet4j: one class per subcommand, shared option mixins, and one exception handler that maps failures to one-line messages and exit codes. */
package io.resnet4j.cli;
