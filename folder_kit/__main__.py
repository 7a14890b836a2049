from folder_kit.cli import main

main()
