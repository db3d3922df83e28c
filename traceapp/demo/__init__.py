"""The demo world from the news stories: the Union, its cooperatives, their value chains."""
